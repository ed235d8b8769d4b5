"""Small helpers shared by the web views and API views of every app (no domain rules here).

- `request_actor`: the signed-in user of a request (web or API).
- `run_service`: run a service for a web page, showing its `DomainError` on the form or as a
  message.
- `show_domain_error`: put a service's `DomainError` on a form (per field) or in the messages.
- `error_status`: the HTTP status of a page showing a service's error again (409 or 400).
- `validated`: an API request's body validated by a serializer (400 per field otherwise).
- `attachment`: a download response (``Content-Disposition: attachment``, or ``inline``).
- `MAX_RETURN_PATH`: the longest way back to a page that links carry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kernel.errors import ConflictError, DomainError

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from rest_framework.request import Request

ResultT = TypeVar("ResultT")

#: The longest way back to a page (`{% return_path %}`, a redirect to a search) that links
#: carry: Django's log-in and language views drop a `next` longer than 2,048 characters
#: (`django.utils.http.MAX_URL_LENGTH`).
MAX_RETURN_PATH = 2000


def request_actor(request: HttpRequest | Request) -> User:
    """The signed-in user acting in `request` (a Django or a DRF request). Only for views that
    require authentication (login_required, IsAuthenticated) before they call it."""
    return cast("User", request.user)


#: Maps a service error's field (e.g. ``payment.total_cny``) to a form field name, or None
#: for the form as a whole.
FieldFor = Callable[[str, forms.BaseForm], "str | None"]


def _same_name(name: str, form: forms.BaseForm) -> str | None:
    return name if name in form.fields else None


def show_domain_error(
    request: HttpRequest,
    exc: DomainError,
    form: forms.BaseForm | None = None,
    *,
    field_for: FieldFor = _same_name,
) -> None:
    """Show a service error to the user.

    Permission errors become HTTP 403 (raises `PermissionDenied`). Per-field messages go onto
    the form field `field_for` names when a form is given (default: the field of the same
    name; unknown fields onto the form as a whole); everything else becomes an error message
    shown on the next page.
    """
    if exc.permission:
        raise PermissionDenied(str(exc.message))
    if form is not None and exc.fields:
        for name, field_messages in exc.fields.items():
            target = field_for(name, form)
            for message in field_messages:
                form.add_error(target, str(message))
        return
    if form is not None:
        form.add_error(None, str(exc.message))
        return
    messages.error(request, str(exc.message))


@dataclass(frozen=True)
class ServiceRun(Generic[ResultT]):
    """What `run_service` did: the service's `result`, or the `error` it raised (shown)."""

    result: ResultT | None = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        """Whether the service succeeded."""
        return self.error is None


def run_service(
    request: HttpRequest,
    call: Callable[[], ResultT],
    form: forms.BaseForm | None = None,
    *,
    field_for: FieldFor = _same_name,
    permission_as_message: bool = False,
) -> ServiceRun[ResultT]:
    """Run a service `call` for a web page and say what happened.

    A `DomainError` is shown (`show_domain_error`): per field on `form` (`field_for` names the
    form field of an error's field), else as an error message on the next page; a permission
    error raises `PermissionDenied` (403), unless `permission_as_message`, for pages where it
    is shown as a message like any other.
    """
    try:
        return ServiceRun(result=call())
    except DomainError as exc:
        if permission_as_message and exc.permission:
            messages.error(request, str(exc.message))
        else:
            show_domain_error(request, exc, form, field_for=field_for)
        return ServiceRun(error=exc)


def error_status(exc: DomainError | None) -> int:
    """The HTTP status of a page that shows a service's error again (`run_service`'s
    ``error``): 409 when the record's state refused it (`ConflictError`), 403 for a
    permission error shown as a message (``permission_as_message``), else 400."""
    if isinstance(exc, ConflictError):
        return 409
    return 403 if exc is not None and exc.permission else 400


def form_page_status(request: HttpRequest, run: ServiceRun[Any] | None = None) -> int:
    """The HTTP status of a page with a form: 200 for a GET; a POST whose page is shown (its
    view redirects after a success) was refused, by the form's own checks (400, an empty
    body too) or by the service (`run`'s error, `error_status`: 409 when the record's state
    refused it)."""
    if request.method != "POST":
        return 200
    return error_status(run.error if run is not None else None)


def validated(serializer_class: type[Any], request: Request, **kwargs: Any) -> dict[str, Any]:
    """The body of the API `request` validated by `serializer_class` (constructed with
    `kwargs`, e.g. ``partial=True``); DRF's ValidationError (400 per field) otherwise."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def attachment(
    content: bytes, media_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """A download: `content` served as `media_type` with ``Content-Disposition: attachment``
    (with `inline`: shown in the browser, saved under `filename`). ``X-Content-Type-Options:
    nosniff`` comes with every response (SecurityMiddleware)."""
    response = HttpResponse(content, content_type=media_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
