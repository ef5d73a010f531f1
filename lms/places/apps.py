from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "lms.places"
    label = "places"
    default_auto_field = "django.db.models.BigAutoField"
