"""Template filters of the agreement PDF (`templates/contracts/pdf/agreement.html`).

Usage: `{% load contract_pdf %}` then `{{ text|soft_wrap }}` (before `|linebreaks` when both
apply), `{{ amount|yuan }}` ("800,000.00": thousands separators, two places) and
`{{ amount|in_capitals }}` ("人民币捌拾万元整", `kernel.capital_numerals`).

`soft_wrap` puts a ZERO WIDTH SPACE (U+200B, a line-break opportunity by Unicode UAX #14,
class ZW) after every `SOFT_WRAP_CHUNK` characters of a run that has no break opportunity of its
own — a long address without spaces, an account number, a URL, a base64 blob. The stylesheet
also lets such runs break anywhere (`overflow-wrap: anywhere`), so they never leave the page;
the filter keeps that fast: WeasyPrint's time to break one unbreakable run grows with the square
of its length, while runs of at most `SOFT_WRAP_CHUNK` characters cost next to nothing. Text of
ordinary words and Chinese (every ideograph is a break opportunity) is left unchanged. Copying
text out of the PDF keeps the invisible U+200B inside such long runs.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template

from kernel.capital_numerals import amount_in_capitals
from kernel.money import format_amount

register = template.Library()

SOFT_WRAP_CHUNK = 80
ZERO_WIDTH_SPACE = "\u200b"

# A run of characters none of which is whitespace or a CJK character (ideographs, kana, hangul,
# CJK and full-width punctuation all allow a line break next to them).
_RUN = re.compile(
    r"[^\s\u2e80-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\ufe30-\ufe4f\uff00-\uffef]" + f"{{{SOFT_WRAP_CHUNK + 1},}}"
)


def _chunks(match: re.Match[str]) -> str:
    run = match.group(0)
    return ZERO_WIDTH_SPACE.join(
        run[start : start + SOFT_WRAP_CHUNK] for start in range(0, len(run), SOFT_WRAP_CHUNK)
    )


@register.filter
def soft_wrap(value: object) -> str:
    """`value` as text with a break opportunity after every `SOFT_WRAP_CHUNK` characters of a
    run that has none (see the module docstring). Returns plain text: autoescaping still
    applies."""
    if value is None:
        return ""
    return _RUN.sub(_chunks, str(value))


def _decimal(value: object) -> Decimal | None:
    """An amount of the frozen agreement (a Decimal, or its canonical text) as a Decimal, or
    None when it is none."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


@register.filter
def yuan(value: object) -> str:
    """A CNY amount with comma thousands separators and two places ("800,000.00"); "" for
    none."""
    amount = _decimal(value)
    return "" if amount is None else format_amount(amount)


@register.filter
def in_capitals(value: object) -> str:
    """A CNY amount in capital numerals (大写, "人民币捌拾万元整"); "" for none or a negative
    amount."""
    amount = _decimal(value)
    return "" if amount is None or amount < 0 else amount_in_capitals(amount)
