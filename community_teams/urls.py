"""Mounted at /to-cong-nghe-so/ (lms/urls.py). The offline visit form (installable web
app) has its own module, pwa_urls.py, under /to-cong-nghe-so/ung-dung/."""

from django.urls import include, path

app_name = "community_teams"

urlpatterns: list = [
    path("ung-dung/", include("community_teams.pwa_urls")),
]
