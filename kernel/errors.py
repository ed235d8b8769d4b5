"""Domain errors raised by services; the API maps them to HTTP statuses in one place
(`kernel.api.errors`) and the web views show them as messages.

- `DomainError` (400, or 403 when `permission=True`): the request cannot be carried out.
- `ConflictError` (409): the request clashes with the current state (e.g. a second open match
  request for the same pair, accepting a request twice, editing a signed agreement).
- `GoneError` (410): what the request names existed but can no longer be used (an invitation
  link that expired, was used or was revoked; RFC 9110 §15.5.11).
- `ServiceUnavailableError` (503): an outside service the request needs (search) is down.
- `TooManyAttemptsError` (429): the caller failed too often and must wait `retry_after`
  seconds (RFC 6585 §4; ``Retry-After`` per RFC 9110 §10.2.3).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise


class DomainError(Exception):
    default_code = "invalid"
    permission = False

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: dict[str, list[str | Promise]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class PermissionDeniedError(DomainError, PermissionDenied):
    """403. Also Django's `PermissionDenied`, so a check a web view makes itself (outside
    `kernel.web.run_service`) gives the 403 page; the API's handler and `run_service` see
    the `DomainError` first, as before."""

    default_code = "permission_denied"
    permission = True


class ConflictError(DomainError):
    default_code = "conflict"


class GoneError(DomainError):
    default_code = "gone"


class ServiceUnavailableError(DomainError):
    default_code = "service_unavailable"


class TooManyAttemptsError(DomainError):
    default_code = "too_many_attempts"

    def __init__(self, message: str | Promise, *, retry_after: int, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


def field_error(field: str, message: str | Promise, *, code: str | None = None) -> DomainError:
    """A `DomainError` (400, code ``invalid`` unless given) whose message is also the one error
    of `field` (a form field, or a dotted path into a nested body such as
    ``payment.total_cny``)."""
    return DomainError(message, code=code, fields={field: [message]})
