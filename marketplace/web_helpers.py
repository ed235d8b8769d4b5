"""Small helpers shared by the web views of marketplace and matching (no domain rules here).

- `show_domain_error`: put a service's `DomainError` on a form (per field) or in the messages.
- `split_bilingual`: pick the active language's half of a stored "zh / en" notification text.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import get_language

from marketplace.errors import DomainError
from marketplace.notifications import BILINGUAL_SEPARATOR


def show_domain_error(
    request: HttpRequest, exc: DomainError, form: forms.BaseForm | None = None
) -> None:
    """Show a service error to the user.

    Permission errors become HTTP 403 (raises `PermissionDenied`). Per-field messages go onto
    the matching form fields when a form is given (unknown fields onto the form as a whole);
    everything else becomes an error message shown on the next page.
    """
    if exc.permission:
        raise PermissionDenied(str(exc.message))
    if form is not None and exc.fields:
        for name, field_messages in exc.fields.items():
            target = name if name in form.fields else None
            for message in field_messages:
                form.add_error(target, str(message))
        return
    if form is not None:
        form.add_error(None, str(exc.message))
        return
    messages.error(request, str(exc.message))


def split_bilingual(text: str, language: str | None = None) -> str:
    """Return one language of a notification stored as ``"<zh-Hans> / <en>"``
    (see `marketplace.notifications.bilingual`); texts without the separator are returned as
    they are."""
    if BILINGUAL_SEPARATOR not in text:
        return text
    zh, en = text.split(BILINGUAL_SEPARATOR, 1)
    language = language or get_language() or "zh-hans"
    return en if language.startswith("en") else zh
