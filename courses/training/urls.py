"""Mounted at /boi-duong/ (lms/urls.py)."""

app_name = "training"

urlpatterns: list = []
