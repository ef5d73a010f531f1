"""Vietnamese first: the language comes from the person's choice, never from the browser.

Django's LocaleMiddleware falls back to the Accept-Language header, so a phone set to
English would get the English interface unasked. This middleware is the same but for that
fallback on pages: the language cookie set by the switch (or by the profile), else
settings.LANGUAGE_CODE (Vietnamese). API clients (/api/) choose deliberately, so there
Accept-Language is honoured too.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(code) if code else None
        except LookupError:
            language = None
        if language is None and request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
