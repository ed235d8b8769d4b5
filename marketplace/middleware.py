"""Language selection: web pages are in Chinese (zh-Hans) unless the user picks English with
the language switch; API clients get the language of their Accept-Language header."""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, except that web pages ignore Accept-Language.

    Browsers send the operating system's language, so most visitors would otherwise get English
    pages on a Chinese marketplace. The language cookie set by /i18n/setlang/ still wins, and
    /api/ keeps full negotiation so that API errors come in the client's language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path_info.startswith("/api/") or chosen:
            super().process_request(request)
            return
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
