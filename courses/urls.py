from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("khoa-hoc/<int:course_id>/dang-ky/", views.enrol, name="enrol"),
    path("khoa-hoc/<int:course_id>/huy-dang-ky/", views.unenrol, name="unenrol"),
    path("bai-hoc/<int:lesson_id>/hoan-thanh/", views.lesson_done, name="lesson_done"),
    path("tiet-kiem-du-lieu/", views.low_data_toggle, name="low_data"),
]
