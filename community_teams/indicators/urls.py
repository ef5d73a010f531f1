from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("toan-quoc/", views.dashboard, name="nation"),
    path("toan-quoc/xuat.<str:fmt>", views.export, name="nation_export"),
    path("don-vi/<int:unit_id>/", views.dashboard, name="unit"),
    path("don-vi/<int:unit_id>/danh-sach/", views.figure_list, name="list"),
    path("don-vi/<int:unit_id>/xuat.<str:fmt>", views.export, name="export"),
    path("don-vi/<int:unit_id>/chi-tieu/", views.targets, name="targets"),
    path("don-vi/<int:unit_id>/so-lieu-cu/", views.legacy_import, name="legacy_import"),
    path("to/<int:unit_id>/", views.team, name="team"),
    path("xa/<int:commune_id>/xem-xet/", views.review, name="review"),
]
