from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("tim-kiem/", views.search, name="search"),
]
