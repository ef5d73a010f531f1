"""Mounted at /boi-duong/ (lms/urls.py)."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("cua-toi/", views.my_training, name="mine"),
    path("cua-toi/chung-nhan/<str:code>/", views.my_certificate, name="certificate"),
    path("quan-ly/", views.manage_home, name="manage"),
    path("quan-ly/nhan-su/", views.staff_list, name="staff"),
    path("quan-ly/nhan-su/nhap/", views.staff_import, name="staff_import"),
    path("quan-ly/nhan-su/<int:user_id>/", views.staff_detail, name="person"),
    path("quan-ly/chuc-danh/", views.position_list, name="positions"),
    path("quan-ly/chuc-danh/<int:position_id>/", views.position_detail, name="position"),
    path("quan-ly/ke-hoach/", views.plan_list, name="plans"),
    path("quan-ly/ke-hoach/tao/", views.plan_create, name="plan_new"),
    path("quan-ly/ke-hoach/<int:plan_id>/", views.plan_detail, name="plan"),
    path("quan-ly/ke-hoach/<int:plan_id>/xlsx/", views.plan_export, name="plan_export"),
    path(
        "quan-ly/ke-hoach/<int:plan_id>/nguoi/<int:assignment_id>/",
        views.assignment_detail,
        name="assignment",
    ),
    path("quan-ly/buoi-hoc/", views.session_create, name="session_new"),
]
