"""One error shape for the whole API: `{"message": str, "code": str, "fields": {name: [str]}}`.

Every error the API returns goes through `exception_handler` (set in REST_FRAMEWORK), and
domain errors raised by services (`kernel.errors`) map to their HTTP status here, so a
view never builds an error response by hand. Messages are translated into the request's
language (zh-Hans by default, en on request).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import (
    ConflictError,
    DomainError,
    GoneError,
    ServiceUnavailableError,
    TooManyAttemptsError,
)
from kernel.invisible_text import without_invisible

_STATUS_FOR_DOMAIN_ERROR: dict[type[DomainError], int] = {
    ConflictError: status.HTTP_409_CONFLICT,
    GoneError: status.HTTP_410_GONE,
    ServiceUnavailableError: status.HTTP_503_SERVICE_UNAVAILABLE,
    TooManyAttemptsError: status.HTTP_429_TOO_MANY_REQUESTS,
}


def is_api_request(request: HttpRequest) -> bool:
    """True for a path under /api/ (answered in the error shape, not with an HTML page)."""
    return request.path_info.startswith("/api/")


def error_body(
    *, message: str | Promise, code: str, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The error shape: `{"message": str, "code": str, "fields": {name: [str]}}` (`fields` is
    `{}` when the error is not about particular fields)."""
    return {"message": str(message), "code": code, "fields": fields or {}}


def error_response(
    *,
    message: str | Promise,
    code: str,
    status: int,
    fields: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """A JSON response in the error shape (see `error_body`) with HTTP `status`, for code that
    answers outside DRF's views (error handlers, middleware, django-axes); DRF views raise and
    leave the shape to `exception_handler`."""
    return JsonResponse(
        error_body(message=message, code=code, fields=fields),
        status=status,
        headers=headers,
        # As DRF's renderer writes the API's other answers (UNICODE_JSON, COMPACT_JSON).
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def _flatten(detail: Any) -> list[str]:
    """The messages of a DRF error detail, without invisible or bidi control characters: a
    message may quote what was sent (a NUL, a U+202E that turns the rest around)."""
    if isinstance(detail, dict):
        return [str(m) for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [str(m) for item in detail for m in _flatten(item)]
    return [without_invisible(str(detail))]


def _item_messages(items: list[tuple[int, Any]]) -> list[str]:
    """Errors of a list's items as one array of strings, each naming its item (1-based), e.g.
    ``["Item 2: Not a valid choice."]``."""
    return [
        str(_("Item %(number)s: %(message)s") % {"number": index + 1, "message": message})
        for index, detail in items
        for message in _flatten(detail)
    ]


def _field_errors(value: Any) -> Any:
    """One field's errors: an array of strings, or an object of the same shape for a nested
    object's fields. A list field's item errors (DRF gives ``{0: [...], 3: [...]}`` for a
    ListField and ``[{}, {...}]`` for a list of objects) become one array of strings."""
    if isinstance(value, dict):
        if value and all(isinstance(key, int) for key in value):
            return _item_messages(sorted(value.items()))
        return _fields(value)
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return _item_messages([(i, item) for i, item in enumerate(value) if item])
    return _flatten(value)


def _fields(detail: Any) -> dict[str, Any]:
    """`{name: [str]}` (nested objects: `{name: {name: [str]}}`) from a DRF error detail."""
    if isinstance(detail, list) and any(isinstance(item, dict) for item in detail):
        return {"non_field_errors": _item_messages(list(enumerate(detail)))}
    if not isinstance(detail, dict):
        return {}
    return {str(name): _field_errors(value) for name, value in detail.items()}


class RequestTooLarge(exceptions.APIException):
    """The body is too large (413, code ``too_large``): by default over
    DATA_UPLOAD_MAX_MEMORY_SIZE (Django's RequestDataTooBig); `message` names another limit
    (e.g. ``VERIFY_MAX_UPLOAD_BYTES``)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("The request is too large."))


def _to_drf(exc: Exception) -> Exception:
    """Django's exceptions as DRF's, so that they get the error shape: a body Django refuses
    to read (too large: 413; too many fields or files, or otherwise suspicious: 400) included,
    which Django would otherwise answer with its HTML 400 page."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError()
    return exc


def _domain_error_response(exc: DomainError) -> Response:
    """A service's error with its own message and code (e.g. "incomplete", "reason_required")
    and the status of its class: 409/410/429/503 by `_STATUS_FOR_DOMAIN_ERROR`, 403 for permission
    errors, 400 otherwise (a 400 without field errors lists its message as non_field_errors)."""
    http_status = next(
        (code for cls, code in _STATUS_FOR_DOMAIN_ERROR.items() if isinstance(exc, cls)),
        status.HTTP_403_FORBIDDEN if exc.permission else status.HTTP_400_BAD_REQUEST,
    )
    fields: dict[str, list[str]] = {
        str(name): [str(message) for message in messages]
        for name, messages in exc.fields.items()
    }
    if not fields and http_status == status.HTTP_400_BAD_REQUEST:
        fields = {"non_field_errors": [str(exc.message)]}
    response = Response(
        error_body(message=exc.message, code=exc.code, fields=fields), status=http_status
    )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:  # e.g. a busy service (RFC 9110 §10.2.3: seconds)
        response["Retry-After"] = str(retry_after)
    return response


def _without_untranslated(detail: Any) -> Any:
    """DRF's detail with its one message that has no translation replaced: a body of JSON
    null is "No data provided" in English in every language (rest_framework/serializers.py
    builds it without gettext)."""
    if isinstance(detail, dict) and detail.get("non_field_errors") == ["No data provided"]:
        return {"non_field_errors": [_("No data was sent: send a JSON object.")]}
    return detail


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    exc = _to_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = _without_untranslated(response.data)
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(detail)
        message = _flatten(detail)[0] if len(_flatten(detail)) == 1 else str(
            _("Some fields are not valid.")
        )
        code = "invalid"
        if isinstance(exc.detail, dict):
            non_field = exc.detail.get("non_field_errors")
            if isinstance(non_field, list) and non_field and hasattr(non_field[0], "code"):
                code = str(non_field[0].code)
    else:
        fields = {}
        raw = detail.get("detail", detail) if isinstance(detail, dict) else detail
        message = str(raw)
        code = str(getattr(raw, "code", None) or getattr(exc, "default_code", "error"))
    response.data = error_body(message=message, code=code, fields=fields)
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404 handler: API paths answer in the API's error shape (JSON), web paths
    with the 404 page."""
    if is_api_request(request):
        return error_response(message=_("Not found."), code="not_found", status=404)
    return defaults.page_not_found(request, exception or Http404())
