"""Content-Security-Policy on every response (docs/security.md, "Content-Security-Policy").

Our pages load scripts and styles only from our own origin: no inline <script> or
<style>, no style="" attribute, no on…= handler. An inline script that must stay (the
visit app's import map, which browsers only accept inline) carries the request's nonce:
`<script nonce="{{ request.csp_nonce }}">`. The nonce is drawn the first time a template
asks for it and is named in the header only then, so pages that need none say none.

Wagtail's admin (and Django's, and the API's Swagger page) use inline scripts and styles
we do not control: paths in CSP_RELAXED_PATHS get CSP_RELAXED_POLICY instead, which
still refuses other origins' scripts, plugins and framing by other sites. A page
rendered for Wagtail's preview keeps the strict policy but may be framed by the admin.

A response that already has the header (a view that set its own, or a page the cache
middleware stored with its header) keeps it: the nonce in a cached body and the one in
its header must stay a pair.
"""

import secrets

from django.conf import settings
from django.utils.functional import SimpleLazyObject

HEADER = "Content-Security-Policy"


def _serialise(policy: dict[str, list[str]], nonce: str | None) -> str:
    parts = []
    for directive, sources in policy.items():
        values = list(sources)
        if nonce and directive in ("script-src", "style-src"):
            values.append(f"'nonce-{nonce}'")
        parts.append(" ".join([directive, *values]) if values else directive)
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        drawn: list[str] = []

        def draw() -> str:
            if not drawn:
                drawn.append(secrets.token_urlsafe(18))
            return drawn[0]

        request.csp_nonce = SimpleLazyObject(draw)
        response = self.get_response(request)
        if HEADER in response:
            return response
        path = request.path_info
        relaxed = any(path.startswith(prefix) for prefix in settings.CSP_RELAXED_PATHS)
        policy = settings.CSP_RELAXED_POLICY if relaxed else settings.CSP_POLICY
        if getattr(request, "is_dummy", False):
            # Wagtail's preview renders the page through a dummy request at the page's
            # own path, and the admin shows it in a frame: our strict policy, framed by
            # our own origin only (with 'none' the live preview stayed blank).
            policy = {**policy, "frame-ancestors": ["'self'"]}
        response[HEADER] = _serialise(policy, None if relaxed or not drawn else drawn[0])
        return response
