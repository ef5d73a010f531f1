"""Mounted at /boi-duong/tuan-thu/ (lms/urls.py), before the training app's own URLs."""

from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.home, name="home"),
    path("co-quan/<int:agency_id>/", views.agency_dashboard, name="agency"),
    path("co-quan/<int:agency_id>/nhan-su/", views.agency_people, name="people"),
    path("co-quan/<int:agency_id>/bao-cao.<str:fmt>", views.agency_export, name="export"),
    path("co-quan/<int:agency_id>/dti/", views.agency_dti, name="dti"),
    path("co-quan/<int:agency_id>/dti.<str:fmt>", views.agency_dti_export, name="dti_export"),
]
