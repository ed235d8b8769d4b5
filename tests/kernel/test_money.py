"""CNY amounts are parsed in one place, by the importer's rules, and formatted in one way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kernel.money import (
    MAX_AMOUNT_CNY,
    amount_or_none,
    format_amount,
    parse_amount,
    stored_amount,
)


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("500000", "500000.00"),
        (500000, "500000.00"),
        (1234.5, "1234.50"),
        (Decimal("0.005"), "0.01"),
        ("1,200,000.50", "1200000.50"),
        ("50万", "500000.00"),
        ("1.2亿", "120000000.00"),
        ("５０万", "500000.00"),
        ("１，２００．５０", "1200.50"),
        ("¥ 3,000 元", "3000.00"),
        ("人民币8000", "8000.00"),
        ("RMB 10万", "100000.00"),
    ],
)
def test_amounts_in_the_usual_forms_are_read_to_two_places(cell, amount):
    assert parse_amount(cell) == Decimal(amount)
    assert parse_amount(cell).as_tuple().exponent == -2


@pytest.mark.parametrize("cell", [None, "", "   ", "元"])
def test_a_blank_cell_is_no_amount(cell):
    assert parse_amount(cell) is None


@pytest.mark.parametrize("cell", ["面议", "abc", "1e300", "NaN", "Infinity", True, [1], "5万万"])
def test_cannot_read_words_or_absurd_numbers_as_an_amount(cell):
    with pytest.raises(ValidationError):
        parse_amount(cell)


def test_cannot_enter_a_negative_amount_unless_allowed():
    with pytest.raises(ValidationError, match="negative"):
        parse_amount("-5")
    assert parse_amount("-5", allow_negative=True) == Decimal("-5.00")


def test_cannot_enter_an_amount_the_database_column_cannot_hold():
    with pytest.raises(ValidationError, match="1,000,000,000,000"):
        parse_amount(MAX_AMOUNT_CNY)
    with pytest.raises(ValidationError, match="too large"):
        parse_amount("10000亿")
    assert parse_amount("9999.99亿") == Decimal("999999000000.00")


def test_exact_unbounded_amounts_keep_their_places_for_percentages():
    assert parse_amount("100.001", places=None, maximum=None) == Decimal("100.001")
    assert parse_amount("1e20", places=None, maximum=None) == Decimal("1e20")


def test_amount_or_none_turns_errors_into_none():
    assert amount_or_none("面议") is None
    assert amount_or_none("50万") == Decimal("500000.00")


@pytest.mark.parametrize(
    ("stored", "amount"),
    [
        ("200000.00", Decimal("200000.00")),
        ("60000.5", Decimal("60000.5")),  # as written: not rounded
        (150000, Decimal("150000")),
        ("100.001", Decimal("100.001")),
        ("-5.00", Decimal("-5.00")),  # the registration check names it, the reader keeps it
        ("1e20", Decimal("1e20")),  # no upper limit
        ("", None),
        (None, None),
        ("abc", None),
        ("NaN", None),
        ("Infinity", None),
        ([1], None),
    ],
)
def test_stored_amounts_are_read_as_written_or_none(stored, amount):
    result = stored_amount(stored)
    assert result == amount
    if amount is not None:
        assert result.as_tuple() == amount.as_tuple()


def test_stored_amounts_may_be_rounded_to_cents():
    assert stored_amount("0.125", places=2) == Decimal("0.13")
    assert str(stored_amount("500000", places=2)) == "500000.00"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234567.5"), "1,234,567.50"),
        (Decimal("0.005"), "0.01"),
        (12, "12.00"),
        (Decimal("-3000"), "-3,000.00"),
        (None, ""),
    ],
)
def test_amounts_are_formatted_with_two_places_and_thousands_separators(amount, text):
    assert format_amount(amount) == text
