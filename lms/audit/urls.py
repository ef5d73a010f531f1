from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("xuat.<str:fmt>", views.event_export, name="export"),
]
