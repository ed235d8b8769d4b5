"""Site middleware.

- Language selection: web pages are in Chinese (zh-Hans) unless the user picks English with the
  language switch; API clients get the language of their Accept-Language header.
- Responses to logged-in users are never stored by a cache.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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


class PrivateResponsesNotStoredMiddleware:
    """Every response to a logged-in user (session or API token) says
    ``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private``, so that neither
    the browser's cache nor a shared proxy keeps a copy of a private page or API answer
    (RFC 9111, section 5.2.2.5 no-store, 5.2.2.7 private).

    It runs after the view, when DRF has put a token-authenticated user on the request too.
    Anonymous responses keep whatever caching their view chose; static files never reach this
    middleware (WhiteNoise answers them earlier, with long caching for hashed names).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
