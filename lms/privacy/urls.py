from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("du-lieu-cua-toi/", views.my_data, name="my_data"),
    path("quan-tri/", views.requests_list, name="requests"),
    path("quan-tri/<int:request_id>/xu-ly/", views.request_handle, name="request_handle"),
    path("quan-tri/nguoi-dung/<int:user_id>/xuat/", views.person_export, name="person_export"),
]
