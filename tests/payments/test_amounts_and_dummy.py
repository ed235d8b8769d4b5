"""Amounts are Decimal CNY converted to integer fen in one place; the dummy provider settles
free items at once; payment services keep states moving forward."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kernel.errors import ConflictError, DomainError
from payments.models import Payment, PaymentStatus
from payments.providers import default_provider_name, get_provider
from payments.providers.base import (
    PaymentNotConfigured,
    UnknownProvider,
    from_minor_units,
    to_minor_units,
)
from payments.providers.stripe import StripeProvider
from payments.services import (
    payment_cancel,
    payment_create,
    payment_refund,
    payment_start_checkout,
)


@pytest.mark.parametrize(
    ("cny", "fen"),
    [("0", 0), ("0.01", 1), ("0.1", 10), ("123.45", 12345), ("99999999.99", 9999999999)],
)
def test_cny_amounts_convert_to_whole_fen(cny, fen):
    assert to_minor_units(Decimal(cny)) == fen
    assert from_minor_units(fen) == Decimal(cny).quantize(Decimal("0.01"))


@pytest.mark.parametrize("bad", [Decimal("1.234"), Decimal("-1"), Decimal("NaN"), 1.5, 100])
def test_amounts_that_are_not_whole_fen_are_refused_not_rounded(bad):
    with pytest.raises(ValueError):
        to_minor_units(bad)


def test_checkout_request_carries_the_amount_in_fen_and_wechat_client(db, enterprise_user):
    payment = Payment(
        pk=7,
        purpose="registration",
        reference="registration:7",
        description="Ticket",
        amount_cny=Decimal("88.80"),
        provider="stripe",
        payer=enterprise_user,
    )
    provider = StripeProvider(name="stripe")
    params = provider.checkout_params(
        payment=payment,
        success_url="https://example.com/ok",
        cancel_url="https://example.com/no",
        methods=provider.payment_methods(),
    )
    price = params["line_items"][0]["price_data"]
    assert price == {"currency": "cny", "unit_amount": 8880, "product_data": {"name": "Ticket"}}
    assert params["payment_method_types"] == ["card", "alipay", "wechat_pay"]
    assert params["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    assert params["metadata"]["keqiao_payment_id"] == "7"
    assert params["payment_intent_data"]["metadata"]["keqiao_payment_id"] == "7"


def test_payment_methods_are_configurable_narrowable_and_never_empty():
    configured = StripeProvider(name="stripe", options={"PAYMENT_METHODS": ["card", "alipay"]})
    assert configured.payment_methods() == ["card", "alipay"]
    assert configured.payment_methods(["alipay", "wechat_pay"]) == ["alipay"]
    assert configured.payment_methods(["wechat_pay"]) == ["card"]


def test_free_item_defaults_to_the_dummy_provider_and_settles_at_once(db, enterprise_user, signals):
    payment = payment_create(
        purpose="registration",
        reference="registration:1",
        amount_cny=Decimal("0.00"),
        description="Free roadshow",
        payer=enterprise_user,
    )
    assert payment.provider == "dummy"
    session = payment_start_checkout(
        payment=payment, success_url="https://example.com/ok", cancel_url="https://example.com/no"
    )
    assert session.paid and session.url == "https://example.com/ok"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.paid_at is not None
    assert signals.of("paid") == [("paid", payment.pk, None)]


def test_dummy_provider_refuses_to_settle_a_paid_item(db, settings):
    with pytest.raises(DomainError) as exc:
        payment_create(
            purpose="registration",
            reference="registration:2",
            amount_cny=Decimal("10.00"),
            description="Ticket",
            provider="dummy",
        )
    assert "amount_cny" in exc.value.fields


def test_dummy_provider_with_allow_paid_settles_and_refunds(db, settings, signals):
    settings.PAYMENT_PROVIDERS = {
        "dummy": {
            "BACKEND": "payments.providers.dummy.DummyProvider",
            "OPTIONS": {"ALLOW_PAID": True},
        }
    }
    payment = payment_create(
        purpose="registration",
        reference="registration:3",
        amount_cny=Decimal("10.00"),
        description="Ticket",
        provider="dummy",
    )
    payment_start_checkout(payment=payment, success_url="https://example.com/", cancel_url="")
    payment_refund(payment=payment, amount_cny=Decimal("4.00"))
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    payment_refund(payment=payment)
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_cny == Decimal("10.00")
    assert [c[2] for c in signals.of("refunded")] == [Decimal("4.00"), Decimal("6.00")]
    with pytest.raises(ConflictError):
        payment_refund(payment=payment)


def test_paid_item_without_stripe_configured_is_refused(db, settings):
    settings.PAYMENT_PROVIDERS = {"dummy": {"BACKEND": "payments.providers.dummy.DummyProvider"}}
    with pytest.raises(PaymentNotConfigured):
        default_provider_name(amount_cny=Decimal("1.00"))


def test_unknown_provider_name_is_refused(settings):
    with pytest.raises(UnknownProvider):
        get_provider("paypal")


def test_amount_with_three_decimals_is_a_field_error(db):
    with pytest.raises(DomainError) as exc:
        payment_create(purpose="x", reference="x:1", amount_cny=Decimal("1.005"), description="x")
    assert list(exc.value.fields) == ["amount_cny"]


def test_refund_above_what_is_left_is_a_field_error(db, settings):
    settings.PAYMENT_PROVIDERS = {
        "dummy": {
            "BACKEND": "payments.providers.dummy.DummyProvider",
            "OPTIONS": {"ALLOW_PAID": True},
        }
    }
    payment = payment_create(
        purpose="x", reference="x:1", amount_cny=Decimal("5.00"), description="x", provider="dummy"
    )
    payment_start_checkout(payment=payment, success_url="https://example.com/", cancel_url="")
    with pytest.raises(DomainError) as exc:
        payment_refund(payment=payment, amount_cny=Decimal("5.01"))
    assert "amount_cny" in exc.value.fields
    payment.refresh_from_db()
    assert payment.refunded_cny == Decimal("0.00")


def test_paid_payment_cannot_be_cancelled_or_checked_out_again(db):
    payment = payment_create(purpose="x", reference="x:1", amount_cny=Decimal("0"), description="x")
    payment_start_checkout(payment=payment, success_url="https://example.com/", cancel_url="")
    with pytest.raises(ConflictError):
        payment_cancel(payment=payment)
    with pytest.raises(ConflictError):
        payment_start_checkout(payment=payment, success_url="https://example.com/", cancel_url="")


def test_unpaid_payment_cannot_be_refunded(db, pending_payment):
    with pytest.raises(ConflictError):
        payment_refund(payment=pending_payment)
