"""Vietnamese first: the language comes from the person's choice, never from the browser.

Django's LocaleMiddleware falls back to the Accept-Language header, so a phone set to
English would get the English interface unasked. This middleware is the same but for that
fallback: the language cookie set by the switch (or on login from the profile), else
settings.LANGUAGE_CODE (Vietnamese).
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
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
