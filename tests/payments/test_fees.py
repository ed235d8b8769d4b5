"""The optional platform fee: a percentage of the contract value, rounded half-up to the fen,
created as a Stripe payment, and nothing at all when disabled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from payments.fees import platform_fee_cny, platform_fee_payment_create
from payments.models import PaymentStatus
from payments.providers.base import PaymentNotConfigured


@pytest.mark.parametrize(
    ("percent", "value", "fee"),
    [
        ("2", "100000.00", "2000.00"),
        ("1.5", "333.33", "5.00"),  # 4.99995 → 5.00
        ("0.5", "1.01", "0.01"),  # 0.00505 → 0.01 (half-up)
        ("3", "0.50", "0.02"),  # 0.015 → 0.02: half-up, not banker's rounding
        ("2.5", "0.10", "0.00"),  # 0.0025 → 0.00
        ("100", "12.34", "12.34"),
    ],
)
def test_platform_fee_is_a_percentage_rounded_half_up_to_the_fen(settings, percent, value, fee):
    settings.PLATFORM_FEE_PERCENT = Decimal(percent)
    assert platform_fee_cny(Decimal(value)) == Decimal(fee)


def test_disabled_fee_creates_no_payment(db, settings, enterprise_user):
    settings.PLATFORM_FEE_PERCENT = Decimal("0")
    assert platform_fee_cny(Decimal("50000.00")) == Decimal("0.00")
    assert (
        platform_fee_payment_create(
            reference="agreement:1", contract_value_cny=Decimal("50000.00"), payer=enterprise_user
        )
        is None
    )


def test_fee_that_rounds_to_zero_creates_no_payment(db, settings, stripe_settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("1")
    assert (
        platform_fee_payment_create(
            reference="agreement:1", contract_value_cny=Decimal("0.40"), payer=None
        )
        is None
    )


def test_fee_payment_is_a_stripe_payment_for_the_agreement(db, stripe_settings, enterprise_user):
    stripe_settings.PLATFORM_FEE_PERCENT = Decimal("1.5")
    payment = platform_fee_payment_create(
        reference="agreement:12", contract_value_cny=Decimal("200000.00"), payer=enterprise_user
    )
    assert payment is not None
    assert (payment.purpose, payment.reference) == ("platform_fee", "agreement:12")
    assert payment.amount_cny == Decimal("3000.00")
    assert payment.provider == "stripe"
    assert payment.status == PaymentStatus.CREATED
    assert payment.payer == enterprise_user


def test_fee_due_without_stripe_configured_raises(db, settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("1")
    settings.PAYMENT_PROVIDERS = {"dummy": {"BACKEND": "payments.providers.dummy.DummyProvider"}}
    with pytest.raises(PaymentNotConfigured):
        platform_fee_payment_create(
            reference="agreement:1", contract_value_cny=Decimal("100.00"), payer=None
        )


@pytest.mark.parametrize("percent", ["-1", "100.01"])
def test_fee_percent_outside_0_to_100_is_a_configuration_error(settings, percent):
    settings.PLATFORM_FEE_PERCENT = Decimal(percent)
    with pytest.raises(ImproperlyConfigured):
        platform_fee_cny(Decimal("100.00"))


def test_negative_contract_value_is_refused(settings):
    settings.PLATFORM_FEE_PERCENT = Decimal("1")
    with pytest.raises(ValueError):
        platform_fee_cny(Decimal("-1.00"))
