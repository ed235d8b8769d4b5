"""Generic parsers of cells: one value read from a spreadsheet, a CSV or a JSON record.

Each parser takes the raw cell (None, text, a number, a date, a list) and returns the cleaned
value, or raises ``django.core.exceptions.ValidationError`` with a translated message. Blank
cells are ``""``, ``[]`` or None, never an error, unless the parser says "required".

Text rules: control characters (C0 other than tab and line breaks, DEL, C1) and lone
surrogates (broken UTF-16, e.g. ``"\\ud800"`` in JSON) are errors everywhere; tabs and line
breaks are kept by :func:`text` and folded into single spaces by :func:`line`. Lists are split
on ``;`` ``；`` ``,`` ``，`` ``、`` (and line breaks where a caller asks for it).

Domain identifiers (IPC symbols, patent numbers, region codes, credit codes) are not here: they
belong to the listings domain (``marketplace.validators``, ``marketplace.patent_numbers``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _

__all__ = [
    "LIST_SEPARATORS",
    "choice",
    "choice_code",
    "invalid",
    "iso_date",
    "items",
    "line",
    "month_or_date",
    "printable",
    "required_line",
    "small_integer",
    "split_items",
    "text",
    "unknown_choice",
    "whole_number",
]

LIST_SEPARATORS = re.compile(r"[;；,，、]")
_LIST_SEPARATORS_AND_LINES = re.compile(r"[;；,，、\n\r]")
_MONTH_OR_DATE_RE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def invalid(message: str, **params: Any) -> ValidationError:
    """A ``ValidationError`` with `message` (already translated) filled with `params`."""
    return ValidationError(message % params if params else message)


def printable(value: str) -> str:
    """`value` with control characters and lone surrogates escaped (``\\x00``, ``\\ud800``),
    safe to print and to write to any terminal or database."""
    return _UNPRINTABLE_RE.sub(
        lambda match: match.group().encode("unicode_escape").decode("ascii"), value
    )


def text(value: Any) -> str:
    """A cell as text (stripped); None is ``""``. Control characters other than tab and line
    breaks, and lone surrogates, are errors; numbers and dates become their usual text
    (``3.0`` -> ``"3"``, a date -> ``YYYY-MM-DD``); booleans, lists and objects are errors."""
    if value is None:
        return ""
    if isinstance(value, str):
        if _SURROGATE_RE.search(value):
            raise invalid(_("The text contains an invalid character (a lone UTF-16 surrogate)."))
        if _CONTROL_RE.search(value):
            raise invalid(_("Control characters are not allowed in text."))
        return value.strip()
    if isinstance(value, bool):
        raise invalid(_("Expected text, not %(value)s."), value=value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise invalid(_("Expected text, not a list or object."))


def line(value: Any) -> str:
    """One-line text: like :func:`text`, with runs of whitespace (tabs, line breaks) as one
    space."""
    return " ".join(text(value).split())


def required_line(value: Any) -> str:
    """Like :func:`line`; a blank cell is an error ("This column is required.")."""
    cleaned = line(value)
    if not cleaned:
        raise invalid(_("This column is required."))
    return cleaned


def split_items(value: str, *, line_breaks: bool = False) -> list[str]:
    """`value` split on the list separators (and on line breaks when `line_breaks`), each item
    stripped; empty items and repeats dropped, first order kept. No text checks."""
    separators = _LIST_SEPARATORS_AND_LINES if line_breaks else LIST_SEPARATORS
    return _unique(part.strip() for part in separators.split(value))


def _unique(parts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(part for part in parts if part))


def items(value: Any) -> list[str]:
    """A list cell: a JSON list, or text split on ; ； , ， 、. Each item is text
    (:func:`text`) with whitespace runs folded; empty items and repeats are dropped."""
    if value is None:
        return []
    parts = [text(item) for item in value] if isinstance(value, list) else (
        LIST_SEPARATORS.split(text(value))
    )
    return _unique(" ".join(part.split()) for part in parts)


def choice_code(
    choices: type[TextChoices], value: str, *, aliases: Mapping[str, str] | None = None
) -> str | None:
    """The code of `value` in `choices` (a Django ``TextChoices`` class), given as a code,
    one of `aliases` (word -> code) or a label (case-insensitive). None when nothing
    matches."""
    value = value.strip()
    if value in choices.values:
        return value
    alias = (aliases or {}).get(value)
    if alias is not None:
        return str(alias)
    for code, label in choices.choices:
        if str(label).lower() == value.lower():
            return str(code)
    return None


def choice(
    value: Any, choices: type[TextChoices], *, aliases: Mapping[str, str] | None = None
) -> str:
    """A choice cell (code, alias or label, see :func:`choice_code`) -> its code; blank ->
    ``""``. An unknown value is an error that lists the aliases (or else the codes)."""
    cleaned = text(value)
    if not cleaned:
        return ""
    code = choice_code(choices, cleaned, aliases=aliases)
    if code is None:
        raise unknown_choice(cleaned, choices, aliases=aliases)
    return code


def unknown_choice(
    value: str, choices: type[TextChoices], *, aliases: Mapping[str, str] | None = None
) -> ValidationError:
    """The error for `value`, which is none of `choices`: names the accepted words."""
    words = list(aliases or {})
    hint = "、".join(words) if words else ", ".join(choices.values)
    return invalid(
        _("Unknown value %(value)s; use one of: %(choices)s."), value=value, choices=hint
    )


def whole_number(value: Any, *, max_digits: int = 9) -> int | None:
    """A whole-number cell -> int; None when the cell is not one (booleans, fractions, text
    other than ASCII digits, more than `max_digits` digits). Callers word the error."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value) if len(value) <= max_digits else None
    return None


def small_integer(value: Any) -> Any:
    """A cell that should hold a small whole number, as an int when it is one (``"7"``,
    ``7.0``, ``"7.0"``); anything else is returned as it is, for the caller's validator to
    reject with its own message."""
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return value
        small = parsed.is_finite() and parsed.adjusted() < 4
        return int(parsed) if small and parsed == int(parsed) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def month_or_date(value: Any) -> str:
    """A ``YYYY-MM`` or ``YYYY-MM-DD`` cell (a real month/day), kept as that text; a date cell
    becomes ``YYYY-MM-DD``; blank -> ``""``."""
    if isinstance(value, datetime.date):
        return text(value)
    cleaned = text(value)
    if not cleaned:
        return ""
    match = _MONTH_OR_DATE_RE.fullmatch(cleaned)
    try:
        if match is None:
            raise ValueError
        datetime.date(int(match["year"]), int(match["month"]), int(match["day"] or 1))
    except ValueError:
        raise invalid(_("Enter a date as YYYY-MM or YYYY-MM-DD.")) from None
    return cleaned


def iso_date(value: Any) -> datetime.date | None:
    """A date cell (a date, a date-time, or text ``YYYY-MM-DD``) -> date; blank -> None."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    cleaned = text(value)
    if not cleaned:
        return None
    try:
        if not _ISO_DATE_RE.fullmatch(cleaned):
            raise ValueError
        return datetime.date.fromisoformat(cleaned)
    except ValueError:
        raise invalid(_("Enter a date as YYYY-MM-DD.")) from None
