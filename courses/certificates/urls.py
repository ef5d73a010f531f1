"""Mounted at /chung-chi/ (lms/urls.py)."""

from django.urls import path, re_path, register_converter

from courses.certificates import views


class CodeConverter:
    # Any case and confusable letters: the view normalises and redirects to the stored form.
    regex = "[0-9A-Za-z]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CodeConverter, "certcode")

app_name = "certificates"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("issuer.json", views.issuer, name="issuer"),
    path("cua-toi/", views.mine, name="mine"),
    path("quan-ly/", views.staff, name="staff"),
    path("quan-ly/<certcode:code>/<slug:action>/", views.staff_action, name="staff_action"),
    path("<certcode:code>/", views.verify, name="verify"),
    path("<certcode:code>/tai-ve/", views.download, name="download"),
    path("<certcode:code>/badge.json", views.badge, name="badge"),
    # Anything else that looks like a code: the helpful "no such certificate" page.
    re_path(r"^(?P<code>[^/]{1,64})/$", views.verify, name="verify_any"),
]
