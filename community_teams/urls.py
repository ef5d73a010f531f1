"""Mounted at /to-cong-nghe-so/ (lms/urls.py). The offline visit form (installable web
app) has its own module, pwa_urls.py, under /to-cong-nghe-so/ung-dung/."""

from django.urls import include, path

from . import views

app_name = "community_teams"

urlpatterns: list = [
    path("ung-dung/", include("community_teams.pwa_urls")),
    path("", views.home, name="home"),
    # Commune officers: teams.
    path("xa/", views.commune_list, name="commune_list"),
    path("xa/<int:commune_id>/", views.team_list, name="team_list"),
    path("xa/<int:commune_id>/to-moi/", views.team_create, name="team_create"),
    path("xa/<int:commune_id>/nhap-to/", views.team_import_view, name="team_import"),
    path("xa/<int:commune_id>/xuat-to.xlsx", views.team_export, name="team_export"),
    path("to/<int:team_id>/", views.team_detail, name="team_detail"),
    path("xa/<int:commune_id>/so-ho/", views.commune_register, name="commune_register"),
    # Team members: household register, visits, devices.
    path("ho/", views.household_list, name="household_list"),
    path("ho/them/", views.household_create, name="household_create"),
    path("ho/<uuid:household_id>/", views.household_detail, name="household_detail"),
    path("ho/<uuid:household_id>/sua/", views.household_edit, name="household_edit"),
    path("ho/<uuid:household_id>/xoa/", views.household_delete, name="household_delete"),
    path("ho/<uuid:household_id>/nguoi/them/", views.resident_form, name="resident_create"),
    path("ho/<uuid:household_id>/nguoi/<uuid:resident_id>/", views.resident_form, name="resident_edit"),
    path("ho/<uuid:household_id>/tham/", views.visit_create, name="visit_create"),
    path("ho/<uuid:household_id>/dang-ky-hoc/", views.assisted_enrol, name="assisted_enrol"),
    path("thiet-bi/", views.device_list, name="device_list"),
]
