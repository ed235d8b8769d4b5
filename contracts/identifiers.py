"""Standard identifiers inside an agreement's content: a party's GB/T 2260 region code and the
patent's application and patent (publication) numbers. Used by the drafting services when a
version is edited (so only valid, canonical values are stored) and by the registration check
and exports (for values stored before these rules).

Sources: GB/T 2260 as in `marketplace.regions.validate_region_code` (with the successors of
retired codes, `marketplace.region_successors`); CNIPA ZC 0006-2003 and ZC 0007-2012 as in
`marketplace.patent_numbers`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError
from marketplace.patent_numbers import canonical_patent_number, is_application_number
from marketplace.regions import region_full_name, validate_region_code

#: Patent fields (`contracts.clauses.PATENT_FIELDS` keys) that hold patent numbers.
PATENT_NUMBER_FIELDS = ("application_no", "patent_no")

_APPLICATION_EXPECTED = _(
    "%(value)s is a publication number; the application number field takes an application "
    "number such as 202110123456.7."
)


def _invalid(path: str, message: str) -> DomainError:
    return DomainError(message, code="invalid", fields={path: [message]})


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def clean_party_region_code(value: str, *, path: str) -> str:
    """A party's region code as stored: "" or a GB/T 2260 code in use. Raises `DomainError`
    (HTTP 400, field `path`) naming the successor of a retired code."""
    if not value:
        return ""
    try:
        validate_region_code(value)
    except ValidationError as exc:
        raise _invalid(path, _message(exc)) from None
    return value


def clean_patent_number(key: str, value: str, *, path: str) -> str:
    """A patent field's value as stored: numbers (`PATENT_NUMBER_FIELDS`) in their canonical
    form, an application number in ``application_no``; other fields unchanged. Raises
    `DomainError` (HTTP 400, field `path`) saying what is wrong."""
    if key not in PATENT_NUMBER_FIELDS or not value:
        return value
    try:
        canonical = canonical_patent_number(value)
    except ValidationError as exc:
        raise _invalid(path, _message(exc)) from None
    if key == "application_no" and not is_application_number(canonical):
        raise _invalid(path, str(_APPLICATION_EXPECTED) % {"value": canonical})
    return canonical


def identifier_problem(kind: str, value: str) -> tuple[str, str] | None:
    """Why a stored `value` is not valid, in zh-Hans and en, or None when it is. `kind` is
    ``"region_code"``, ``"application_no"`` or ``"patent_no"``."""
    messages = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            try:
                if kind == "region_code":
                    clean_party_region_code(value, path=kind)
                else:
                    clean_patent_number(kind, value, path=kind)
            except DomainError as exc:
                messages.append(str(exc.fields[kind][0]))
            else:
                return None
    return messages[0], messages[1]


def region_display_name(code: str) -> str:
    """The full name of a region code for forms and exports (``"北京市东城区"``), or "" when
    the code is empty or not in use."""
    return (region_full_name(code) or "") if code else ""
