"""How the JSON API knows who is calling.

Two ways, tried in this order (``lms.api.api`` uses both by default):

1. ``Authorization: Bearer <token>``: a personal token (Wagtail's APIToken; only a
   digest is stored, revoked tokens stop working at once). No CSRF check: a browser
   never sends this header by itself.
2. The Django session cookie, as on the website. Unsafe methods (POST, PUT, PATCH,
   DELETE) must carry the CSRF token (``X-CSRFToken`` header), like any form.

A request that presents a bearer token which is unknown or revoked is anonymous even if
it also carries a session cookie: a bad token never falls back silently.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie
from wagtail.api.v3.auth import BearerTokenAuth


class TokenAuth(BearerTokenAuth):
    """Wagtail's bearer-token resolution (sets request.user, notes last use). Unknown or
    revoked tokens are counted per client address (LMS_RATE_LIMITS "api_token_failed"):
    past the limit every bearer request from that address answers 429."""

    def authenticate(self, request: HttpRequest, token: str):
        from lms.accounts import ratelimit

        if ratelimit.exhausted(request, action="api_token_failed"):
            raise HttpError(429, str(ratelimit.TOO_MANY_MESSAGE))
        result = super().authenticate(request, token)
        if result is None:
            ratelimit.consume(request, action="api_token_failed")
        return result


class SessionAuth(APIKeyCookie):
    """The site's login session; CSRF is checked for unsafe methods of logged-in users."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            # Nobody to impersonate: answer 401 rather than a CSRF 403.
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:
            raise HttpError(
                403, _("Thiếu hoặc sai mã chống giả mạo (CSRF): hãy tải lại trang rồi thử lại.")
            ) from exc

    def authenticate(self, request: HttpRequest, key: str | None):
        return request.user if request.user.is_authenticated else None


token_auth = TokenAuth()
session_auth = SessionAuth()
# Default for every operation: token first, so a token request never meets the CSRF check.
default_auth = [token_auth, session_auth]
