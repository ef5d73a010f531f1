"""Mounted at /to-cong-nghe-so/ (lms/urls.py)."""

app_name = "community_teams"

urlpatterns: list = []
