"""Keqiao's own error pages (handler400, handler500 and CSRF_FAILURE_VIEW).

Web paths get the site's pages in the request's language (`templates/400.html`,
`templates/403_csrf.html`; `templates/500.html` is bilingual on purpose), API paths under
/api/ the API's error shape ``{"message", "code", "fields"}``. 403 and 404 use Django's
default handlers with `templates/403.html` and `kernel.api.errors.not_found`.
"""

from __future__ import annotations

import logging

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from kernel.api.errors import error_response, is_api_request

logger = logging.getLogger(__name__)

#: Served when even the 500 template cannot be rendered (e.g. a broken static manifest).
_LAST_RESORT_500 = (
    "<!DOCTYPE html><html lang=\"zh-Hans\"><meta charset=\"utf-8\"><title>服务器错误 · Server "
    "error</title><h1>服务器出错了 · Server error</h1><p><a href=\"/\">返回首页 · Home</a></p>"
    "</html>"
)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 for a request Django refused before any view (an unknown Host header, a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields). The page needs no request context, so a
    malformed request cannot break it."""
    if is_api_request(request):
        return error_response(
            message=_("The request is not valid."), code="bad_request", status=400
        )
    return HttpResponseBadRequest(loader.render_to_string("400.html"))


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: the bilingual static page (rendered without request context or database); if even
    that fails, a minimal inline page."""
    if is_api_request(request):
        return error_response(
            message=_("Server error. Please try again later."), code="server_error", status=500
        )
    body: str
    try:
        body = loader.render_to_string("500.html")
    except Exception:  # the last line of defence: never let the error page itself fail
        logger.exception("The 500 page could not be rendered")
        body = _LAST_RESORT_500
    return HttpResponseServerError(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 when a form post fails Django's CSRF check (an expired or missing token, a foreign
    origin, cookies disabled). The reason is logged, not shown."""
    logger.warning("CSRF check failed for %s: %s", request.path, reason)
    if is_api_request(request):
        return error_response(
            message=_("The security check of this request failed. Reload the page and try again."),
            code="csrf_failed",
            status=403,
        )
    return render(request, "403_csrf.html", status=403)
