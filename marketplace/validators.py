"""Validators for Chinese identifiers and classification codes used by Keqiao.

Every ``validate_*`` function returns ``None`` for a valid value and raises
:class:`django.core.exceptions.ValidationError` otherwise.  Each error carries
a translatable English message (``gettext_lazy``), a stable ``code`` and
``params={"value": value}``, so the functions can be passed directly to
``validators=[...]`` on model or form fields.

Validators check the *canonical* form only (no surrounding spaces, upper
case); normalising user input is the caller's job (see
:func:`normalize_ipc_symbol` and :func:`normalize_patent_number`).

Standards covered:

* Unified social credit code (统一社会信用代码): GB 32100-2015, checked with
  ``python-stdnum`` (:mod:`stdnum.cn.uscc`).
* Administrative division codes (行政区划代码): GB/T 2260, in
  :mod:`marketplace.regions` (``validate_region_code`` is re-exported here for model fields).
* International Patent Classification symbols: WIPO *Guide to the IPC*.
* Chinese patent application / patent / publication numbers: CNIPA 专利申请号标准
  ZC 0006-2003 and 专利文献号标准 ZC 0007-2012, in :mod:`marketplace.patent_numbers`.
* Technology readiness level: GB/T 22900-2022 (科学技术研究项目评价通则).
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumValidationError

from kernel.invisible_text import invisible_characters
from marketplace.patent_numbers import canonical_patent_number, validate_patent_number
from marketplace.regions import validate_region_code

__all__ = [
    "normalize_ipc_symbol",
    "normalize_patent_number",
    "validate_credit_code",
    "validate_ipc_symbol",
    "validate_listing_date",
    "validate_patent_number",
    "validate_region_code",
    "validate_source_date",
    "validate_trl",
    "validate_visible_text",
]

# ---------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# ---------------------------------------------------------------------------

_CREDIT_CODE_FORMAT_MESSAGE = _(
    "Enter a valid unified social credit code: 18 digits or upper-case letters (GB 32100)."
)
_CREDIT_CODE_CHECK_MESSAGE = _(
    "Enter a valid unified social credit code (18 characters, GB 32100); "
    "the check character does not match."
)


def validate_credit_code(value: str) -> None:
    """Validate a unified social credit code (统一社会信用代码), GB 32100-2015.

    Shape: 18 characters, e.g. ``91110000600037341L`` -- registration
    authority (1), organisation category (1), GB/T 2260 region code (6),
    organisation code (9) and a check character (1) computed modulo 31 over
    the alphabet ``0-9 A-H J-N P-R T U W-Y``.  The checksum is verified with
    :mod:`stdnum.cn.uscc` (not reimplemented here).

    Only the canonical form is accepted: no spaces or hyphens, upper case.

    Error codes: ``invalid_credit_code_format`` (wrong length or characters),
    ``invalid_credit_code_check`` (check character does not match).
    """
    params = {"value": value}
    if not isinstance(value, str) or value != uscc.compact(value):
        raise ValidationError(
            _CREDIT_CODE_FORMAT_MESSAGE, code="invalid_credit_code_format", params=params
        )
    try:
        uscc.validate(value)
    except InvalidChecksum:
        raise ValidationError(
            _CREDIT_CODE_CHECK_MESSAGE, code="invalid_credit_code_check", params=params
        ) from None
    except StdnumValidationError:  # InvalidLength, InvalidFormat
        raise ValidationError(
            _CREDIT_CODE_FORMAT_MESSAGE, code="invalid_credit_code_format", params=params
        ) from None


# ---------------------------------------------------------------------------
# International Patent Classification (WIPO)
# ---------------------------------------------------------------------------

_IPC_MESSAGE = _(
    'Enter a valid IPC symbol, e.g. "H01M 10/052" or "H01M" '
    "(WIPO International Patent Classification)."
)
_IPC_RE = re.compile(
    r"(?P<subclass>[A-H](?:0[1-9]|[1-9][0-9])[A-Z])"
    r"(?: ?(?P<group>[0-9]{1,4})/(?P<subgroup>[0-9]{2,6}))?"
)


def normalize_ipc_symbol(value: str) -> str:
    """Return the canonical form of an IPC symbol, per the WIPO *Guide to the IPC*.

    Shape: section ``A``-``H``, class (2 digits), subclass (letter), then
    optionally main group (1-4 digits), ``/`` and subgroup (2-6 digits).
    ``"H01M10/052"`` -> ``"H01M 10/052"``; ``"H01M"`` -> ``"H01M"``.
    Leading zeros of the main group are dropped (``"H01M 0010/052"`` ->
    ``"H01M 10/052"``).  Lower case is not accepted.

    Raises ``ValidationError`` (code ``invalid_ipc_symbol``) if invalid.
    """
    params = {"value": value}
    match = _IPC_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError(_IPC_MESSAGE, code="invalid_ipc_symbol", params=params)
    subclass, group, subgroup = match.group("subclass", "group", "subgroup")
    if group is None:
        return subclass
    if int(group) == 0:
        raise ValidationError(_IPC_MESSAGE, code="invalid_ipc_symbol", params=params)
    return f"{subclass} {int(group)}/{subgroup}"


def validate_ipc_symbol(value: str) -> None:
    """Validate an IPC symbol (WIPO *Guide to the IPC*).

    Accepts a subclass (``"H01M"``) or a full group symbol with or without one
    space between subclass and group (``"H01M 10/052"``, ``"H01M10/052"``,
    ``"G06F18/2321"``).  See :func:`normalize_ipc_symbol` for the shape.

    Error code: ``invalid_ipc_symbol``.
    """
    normalize_ipc_symbol(value)


# ---------------------------------------------------------------------------
# Chinese patent numbers (CNIPA): marketplace.patent_numbers
# ---------------------------------------------------------------------------


def normalize_patent_number(value: str) -> str:
    """The canonical form of a Chinese patent number as typed by a user (spaces, lower case,
    full-width characters, ``ZL``/``CN`` before an application number are fine):
    ``"zl 2021 1 0123456.7"`` -> ``"202110123456.7"``, ``"cn 116245100 a"`` ->
    ``"CN116245100A"``. The check character of an application number is required. Raises
    ``ValidationError`` saying what is wrong; rules and sources in
    :mod:`marketplace.patent_numbers` (CNIPA ZC 0006-2003, ZC 0007-2012)."""
    return canonical_patent_number(value)


# ---------------------------------------------------------------------------
# Technology readiness level (GB/T 22900-2022)
# ---------------------------------------------------------------------------

_TRL_MESSAGE = _("Enter a technology readiness level from 1 to 9 (GB/T 22900-2022); got %(value)s.")


def validate_trl(value: int) -> None:
    """Validate a technology readiness level (技术就绪度), GB/T 22900-2022.

    Shape: an ``int`` from 1 (basic principles observed) to 9 (proven in
    successful operation / commercial application).  ``bool`` is rejected.

    Error code: ``invalid_trl``.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9:
        raise ValidationError(_TRL_MESSAGE, code="invalid_trl", params={"value": value})


# --- dates of listings ------------------------------------------------------------------------

#: Deadlines and source dates must fall in this range: earlier or later dates are typing errors
#: (and dates near 9999-12-31 overflow expiry arithmetic).
EARLIEST_LISTING_DATE = datetime.date(1949, 10, 1)
LATEST_LISTING_DATE = datetime.date(2099, 12, 31)
_SOURCE_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def validate_listing_date(value: datetime.date) -> None:
    """Validate a deadline: between 1949-10-01 and 2099-12-31. Error code ``date_out_of_range``."""
    if not EARLIEST_LISTING_DATE <= value <= LATEST_LISTING_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={
                "value": value,
                "earliest": EARLIEST_LISTING_DATE.isoformat(),
                "latest": LATEST_LISTING_DATE.isoformat(),
            },
        )


def validate_source_date(value: str) -> None:
    """Validate the date a source was published: ``YYYY-MM`` or ``YYYY-MM-DD``, a real calendar
    date in the range of :func:`validate_listing_date`. Error code ``invalid_source_date``."""
    match = _SOURCE_DATE.match(value)
    message = _("Enter the source date as YYYY-MM or YYYY-MM-DD.")
    if match is None:
        raise ValidationError(message, code="invalid_source_date", params={"value": value})
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        parsed = datetime.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(message, code="invalid_source_date", params={"value": value}) from exc
    validate_listing_date(parsed)


# ---------------------------------------------------------------------------
# Visible text (organisations' texts)
# ---------------------------------------------------------------------------


def validate_visible_text(value: str) -> None:
    """Refuse Unicode format characters (Cf: bidirectional overrides and isolates, zero-width
    spaces) and control characters other than tab and line breaks (Cc: BEL, ESC), as
    `kernel.invisible_text` lists them: an organisation's name with a right-to-left override
    or a zero-width space looks like another (verified) one, and controls end up in e-mails,
    exports and logs."""
    hidden = invisible_characters(value)
    if hidden:
        raise ValidationError(
            _("Remove the invisible or direction-changing characters (%(codes)s)."),
            code="invisible_characters",
            params={"codes": ", ".join(hidden), "value": value},
        )
