"""The offline visit form: app shell, web manifest and service worker (scope
/to-cong-nghe-so/ung-dung/)."""

from django.urls import path

from community_teams import pwa

urlpatterns: list = [
    path("", pwa.app_shell, name="visit_app"),
    path("manifest.webmanifest", pwa.manifest, name="visit_app_manifest"),
    path("sw.js", pwa.service_worker, name="visit_app_sw"),
]
