"""Our account URLs, mounted at /accounts/ before allauth's (lms/urls.py).

Besides our own pages, a few allauth views are re-mounted here at the same paths,
wrapped so that a rate limit hit while sending an SMS code answers 429, not 500.
"""

from allauth.account import views as allauth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("password/reset/phone/", views.phone_password_reset, name="phone_password_reset"),
    path(
        "password/reset/phone/confirm/",
        views.phone_password_reset_confirm,
        name="phone_password_reset_confirm",
    ),
    # allauth's views, same paths and behaviour (names stay allauth's, unnamespaced).
    path("signup/", views.rate_limited_as_429(allauth_views.signup)),
    path("login/", views.rate_limited_as_429(allauth_views.login)),
    path("login/code/confirm/", views.rate_limited_as_429(allauth_views.confirm_login_code)),
    path("phone/verify/", views.rate_limited_as_429(allauth_views.verify_phone)),
    path("phone/change/", views.rate_limited_as_429(allauth_views.change_phone)),
]
