"""Input fields of CNY amounts typed by people: `AmountFormField` for web forms and
`AmountSerializerField` for API input. Both read what `kernel.money.parse_amount` reads (the
listing import's rules: ``500000``, ``1,200,000.50``, ``50万``, ``1.2亿``, full-width digits,
``元``/``¥``) and then apply their framework's decimal checks (at most 2 decimal places, at most
14 digits), so errors stay per field and translated. Output is unchanged: a form shows the
stored Decimal, the API writes it as a string with 2 places (``"500000.00"``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kernel.money import AMOUNT_MAX_DIGITS, AMOUNT_PLACES, CENT, parse_amount

__all__ = ["AmountFormField", "AmountSerializerField", "typed_amount"]


def typed_amount(value: object) -> Decimal | None:
    """The amount typed in `value` (None when blank), not rounded: `parse_amount`'s errors
    (``ValidationError``) for what it refuses, negative amounts and amounts too large included.
    Zeros past the cents that a unit leaves (``1.2亿`` is ``120000000.0``) are dropped, so
    that only a real fraction of a cent fails the 2-places check of the calling field."""
    amount = parse_amount(value, places=None)
    if amount is None:
        return None
    cents = amount.quantize(CENT)
    return cents if cents == amount else amount


class AmountFormField(forms.DecimalField):
    """A form field of a CNY amount (see the module docstring). A text input, since a number
    input refuses ``50万``; give it to a ModelForm through ``Meta.field_classes``, which
    passes the model field's digits and places."""

    widget = forms.TextInput

    # django-stubs ignores the same override on DecimalField: Django derives it from
    # IntegerField, whose to_python returns int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        return typed_amount(value)


@extend_schema_field(
    {
        "type": "string",
        "example": "500000.00",
        "description": "CNY, e.g. 500000, 500000.00, 1,200,000.50, 50万 or 1.2亿; at most "
        "2 decimal places.",
    }
)
class AmountSerializerField(serializers.DecimalField):
    """An API input field of a CNY amount (see the module docstring): a JSON string or number;
    ``""`` and null are None when the field allows null."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str) and len(data) > self.MAX_STRING_LENGTH:
            self.fail("max_string_length")
        try:
            amount = typed_amount(data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None
        if amount is None:  # blank text for a field that does not allow null
            self.fail("invalid")
        return self.quantize(self.validate_precision(amount))
