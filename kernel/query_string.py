"""Query strings must be UTF-8: a parameter that is not (e.g. ``?q=%ff``) answers 400 instead
of reaching a view as U+FFFD replacement characters (which would, for instance, turn a search
into "every listing"). URLs carry UTF-8 percent-encoded (RFC 3986 §2.5, WHATWG URL Standard).

API paths (/api/) answer in the API's error shape (`kernel.api.errors`) with code
``invalid_encoding`` and the bad parameters named in ``fields``; web pages answer with the
site's 400 page.

A valid query string with bytes outside ASCII (UTF-8 sent unencoded) is percent-encoded
before any view reads it (Django's `iri_to_uri`).

A query string of more parameters than settings.DATA_UPLOAD_MAX_NUMBER_FIELDS (Django's
limit, 1,000 by default) answers 400 too (code ``too_many_parameters``), before any view
reads it: Django raises TooManyFieldsSent at each read of request.GET, and with DEBUG on its
error page read it again in every middleware, so 2,000 parameters cost 20-30 s of CPU and
ended in a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from kernel.api.errors import error_response, is_api_request
from kernel.error_views import bad_request


def _raw_query(request: HttpRequest) -> bytes:
    """The query string as the client sent it (WSGI passes it as latin-1 text)."""
    query = request.META.get("QUERY_STRING", "")
    raw = getattr(request, "environ", {}).get("QUERY_STRING", query)
    try:
        return str(raw).encode("latin-1")
    except UnicodeEncodeError:
        return str(raw).encode("utf-8", errors="surrogateescape")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def invalid_parameters(raw_query: bytes) -> list[str]:
    """Names of the parameters of `raw_query` whose name or value is not UTF-8 once
    percent-decoded (names shown with replacement characters); [] when all are valid."""
    invalid = []
    for pair in raw_query.split(b"&"):
        if not pair:
            continue
        name, _sep, value = pair.partition(b"=")
        decoded_name = unquote_to_bytes(name.replace(b"+", b" "))
        if not (_is_utf8(decoded_name) and _is_utf8(unquote_to_bytes(value))):
            invalid.append(decoded_name.decode("utf-8", errors="replace"))
    return invalid


class QueryStringEncodingMiddleware:
    """Refuses requests whose query string is not UTF-8 (see module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = _raw_query(request)
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if limit is not None and raw.count(b"&") + 1 > limit:
            too_many = _("Too many query parameters: at most %(limit)s.") % {"limit": limit}
            if is_api_request(request):
                return error_response(message=too_many, code="too_many_parameters", status=400)
            return bad_request(request, SuspiciousOperation(too_many))
        invalid = invalid_parameters(raw)
        if not invalid:
            if not raw.isascii():
                # UTF-8 sent unencoded (`curl -g "…?q=储能"`) would reach links built from the
                # request's path (the API's `next` page) as latin-1 text, encoded twice:
                # Django's iri_to_uri percent-encodes it (RFC 3987 §3.1), the parameters the same.
                request.META["QUERY_STRING"] = iri_to_uri(raw.decode("utf-8"))
            return self.get_response(request)
        message = _("Query parameters must be UTF-8 encoded.")
        if is_api_request(request):
            return error_response(
                message=message,
                code="invalid_encoding",
                status=400,
                fields={name: [message] for name in invalid},
            )
        return bad_request(request, SuspiciousOperation(message))
