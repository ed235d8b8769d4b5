"""Input fields of CNY amounts (kernel.amount_fields): parse_amount's rules, then the
framework's decimal checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from kernel.amount_fields import AmountFormField, AmountSerializerField, typed_amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("50万", "500000.00"),
        ("1.2亿", "120000000.00"),  # 120000000.0 from the unit: the zero place is dropped
        ("0.00001万", "0.10"),
        ("1.001", "1.001"),  # a real fraction of a cent: left for the field's 2-places check
        ("", None),
    ],
)
def test_typed_amounts_are_not_rounded(typed, amount):
    result = typed_amount(typed)
    assert (str(result) if result is not None else None) == amount


def test_typed_amounts_refuse_what_parse_amount_refuses():
    for typed in ("面议", "-1", "1e300"):
        with pytest.raises(ValidationError):
            typed_amount(typed)


def test_form_field_checks_places_and_digits():
    field = AmountFormField(max_digits=14, decimal_places=2, required=False)
    assert field.clean("50万") == Decimal("500000")
    assert field.clean("") is None
    with pytest.raises(ValidationError):
        field.clean("1.234")
    assert isinstance(field.widget, forms.TextInput)


def test_serializer_field_without_null_refuses_blank_and_keeps_its_output():
    field = AmountSerializerField()
    assert field.run_validation("50万") == Decimal("500000.00")
    with pytest.raises(serializers.ValidationError) as caught:
        field.run_validation("")
    assert caught.value.detail[0].code == "invalid"
    assert field.to_representation(Decimal("500000")) == "500000.00"
