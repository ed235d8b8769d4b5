"""CNY amounts: the one parser of amounts typed in cells and forms, and the one formatter.

Money is ``Decimal`` with 2 places in CNY (DESIGN.md §4), never float.

Parsing (:func:`parse_amount`) understands what transfer centres type in spreadsheets:
``500000``, ``1,200,000.50``, ``50万`` (10^4), ``1.2亿`` (10^8), full-width characters
(``５０万``, ``１，２００．５０``; Unicode NFKC), and the noise ``元``, ``¥``/``￥``, ``人民币``,
``RMB``, ``CNY`` and spaces. A blank cell is None. Everything else — words such as ``面议``,
``1e300``, infinities, NaN, negative amounts, amounts of ``MAX_AMOUNT_CNY`` or more, lists,
booleans — raises ``ValidationError`` with a translated message saying what is accepted.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, DecimalException, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kernel.cells import text

__all__ = [
    "AMOUNT_MAX_DIGITS",
    "AMOUNT_PLACES",
    "CENT",
    "MAX_AMOUNT_CNY",
    "amount_or_none",
    "format_amount",
    "parse_amount",
    "stored_amount",
]

#: Digits and decimal places of a stored amount (the DecimalField of every *_cny column).
AMOUNT_MAX_DIGITS = 14
AMOUNT_PLACES = 2
CENT = Decimal(1).scaleb(-AMOUNT_PLACES)
#: Amounts must be below this: the largest that AMOUNT_MAX_DIGITS digits hold, plus one cent.
MAX_AMOUNT_CNY = Decimal(10) ** (AMOUNT_MAX_DIGITS - AMOUNT_PLACES)

_UNITS = (("亿", Decimal(100_000_000)), ("万", Decimal(10_000)))
_NOISE = (" ", ",", "元", "¥", "人民币", "RMB", "CNY")


def _bad_amount() -> ValidationError:
    return ValidationError(_("Enter an amount in CNY, e.g. 500000 or 50万."), code="invalid_amount")


def _split_unit(value: str) -> tuple[str, Decimal]:
    for unit, factor in _UNITS:
        if value.endswith(unit):
            return value[: -len(unit)], factor
    return value, Decimal(1)


def parse_amount(
    value: object,
    *,
    places: int | None = 2,
    maximum: Decimal | None = MAX_AMOUNT_CNY,
    allow_negative: bool = False,
) -> Decimal | None:
    """The CNY amount in `value` (a cell: text, int, float or Decimal), or None when blank.

    `places`: round half up to this many decimal places (None: keep the value as given).
    `maximum`: amounts must be below it (None: no limit). `allow_negative`: accept amounts
    below zero. Raises ``ValidationError`` (codes ``invalid_amount``, ``negative_amount``,
    ``amount_too_large``) for anything else; see the module docstring for the accepted forms.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _bad_amount()
    cleaned = unicodedata.normalize("NFKC", text(str(value) if isinstance(value, float) else value))
    for noise in _NOISE:
        cleaned = cleaned.replace(noise, "")
    if not cleaned:
        return None
    number, factor = _split_unit(cleaned)
    try:
        amount = Decimal(number)
    except InvalidOperation:
        raise _bad_amount() from None
    if amount.is_nan() or (maximum is None and amount.is_infinite()):
        raise _bad_amount()
    if amount < 0 and not allow_negative:
        raise ValidationError(_("Amounts cannot be negative."), code="negative_amount")
    return _scaled(amount, factor, places=places, maximum=maximum)


def _scaled(
    amount: Decimal, factor: Decimal, *, places: int | None, maximum: Decimal | None
) -> Decimal:
    too_large = ValidationError(
        _("The amount is too large: it must be below %(max)s CNY.")
        % {"max": format_amount(maximum).removesuffix(".00") if maximum else ""},
        code="amount_too_large",
    )
    # Check the size before any arithmetic: 1e400 or Infinity would overflow the context.
    if maximum is not None and (
        amount.is_infinite() or (amount and amount.adjusted() >= maximum.adjusted())
    ):
        raise too_large
    try:
        if factor != 1:
            amount = amount * factor
        if places is not None:
            amount = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except DecimalException:
        raise _bad_amount() from None
    if maximum is not None and abs(amount) >= maximum:
        raise too_large
    return amount


def amount_or_none(
    value: object,
    *,
    places: int | None = 2,
    maximum: Decimal | None = MAX_AMOUNT_CNY,
    allow_negative: bool = False,
) -> Decimal | None:
    """Like :func:`parse_amount`, but None instead of an error (for lenient readers that
    report a missing or bad amount themselves)."""
    try:
        return parse_amount(
            value, places=places, maximum=maximum, allow_negative=allow_negative
        )
    except ValidationError:
        return None


def stored_amount(value: object, *, places: int | None = None) -> Decimal | None:
    """An amount read back from stored JSON (an agreement version's payment terms, which the
    services store as strings with 2 places, ``"500000.00"``, or ``""``): as written (or
    rounded half up to `places`), no upper limit, a negative sign kept. None when missing,
    blank or not a number, for readers that show or check stored terms and must not fail on
    them."""
    return amount_or_none(value, places=places, maximum=None, allow_negative=True)


def format_amount(value: Decimal | int | None) -> str:
    """A CNY amount as text with 2 places and comma thousands separators, the same in every
    language: ``Decimal("1234567.5")`` -> ``"1,234,567.50"`` (more places are rounded half
    up); None -> ``""``."""
    if value is None:
        return ""
    return f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
