from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("khung-nang-luc/", views.framework_list, name="framework_list"),
    path("khung-nang-luc/<str:code>/", views.framework_detail, name="framework_detail"),
]
