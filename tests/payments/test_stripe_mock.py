"""Against the official stripe-mock server (`make stripe-mock`, STRIPE_API_BASE): the requests
we send are valid for the pinned API version (stripe-mock runs with -strict-version-check and
validates every parameter against Stripe's OpenAPI spec). stripe-mock answers with fixtures, so
these tests check request validity and response shapes, not values it cannot know."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.fees import platform_fee_payment_create
from payments.models import PaymentStatus
from payments.services import (
    payment_cancel,
    payment_create,
    payment_refund,
    payment_start_checkout,
)
from tests.payments.conftest import WEBHOOK_URL, event, session_object, sign

pytestmark = [pytest.mark.stripe, pytest.mark.django_db]

OK, BACK = "https://example.com/paid", "https://example.com/back"


def ticket(payer, amount="200.00"):
    return payment_create(
        purpose="registration",
        reference="registration:9",
        amount_cny=Decimal(amount),
        description="路演门票 Roadshow ticket",
        payer=payer,
    )


@pytest.mark.parametrize(
    "methods",
    [["card"], ["card", "alipay"], ["card", "wechat_pay"], ["card", "alipay", "wechat_pay"]],
)
def test_checkout_session_is_created_for_each_payment_method(stripe_mock, enterprise_user, methods):
    payment = ticket(enterprise_user)
    session = payment_start_checkout(
        payment=payment, success_url=OK, cancel_url=BACK, methods=methods
    )
    assert session.provider_ref.startswith("cs_")
    assert session.url.startswith("https://")
    assert not session.paid
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.provider_ref == session.provider_ref
    assert payment.checkout_url == session.url


def test_refused_payment_methods_fall_back_to_card(stripe_mock, enterprise_user, caplog):
    stripe_mock.PAYMENT_PROVIDERS["stripe"]["OPTIONS"] = {
        "PAYMENT_METHODS": ["card", "not_activated_method"]
    }
    payment = ticket(enterprise_user)
    session = payment_start_checkout(payment=payment, success_url=OK, cancel_url=BACK)
    assert session.provider_ref.startswith("cs_")
    assert "falling back to card" in caplog.text


def test_restarting_checkout_withdraws_the_earlier_session(stripe_mock, enterprise_user):
    payment = ticket(enterprise_user)
    payment_start_checkout(payment=payment, success_url=OK, cancel_url=BACK)
    again = payment_start_checkout(payment=payment, success_url=OK, cancel_url=BACK)
    assert again.provider_ref.startswith("cs_")
    assert payment.status == PaymentStatus.PENDING


def test_paid_checkout_end_to_end_then_refund(stripe_mock, client, enterprise_user, signals):
    payment = ticket(enterprise_user)
    session = payment_start_checkout(payment=payment, success_url=OK, cancel_url=BACK)
    payload = event(
        "evt_e2e", "checkout.session.completed", session_object(payment, payment_intent="pi_e2e")
    )
    response = client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )
    assert response.json()["result"] == "paid"
    payment.refresh_from_db()
    assert (payment.status, payment.provider_ref) == (PaymentStatus.PAID, session.provider_ref)

    payment_refund(payment=payment, amount_cny=Decimal("50.00"))
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert payment.refunded_cny == Decimal("50.00")
    payment_refund(payment=payment)
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_cny == Decimal("200.00")
    assert [c[0] for c in signals.calls] == ["paid", "refunded", "refunded"]


def test_money_received_after_cancellation_is_refunded(
    stripe_mock, client, enterprise_user, signals, django_capture_on_commit_callbacks
):
    payment = ticket(enterprise_user)
    payment_start_checkout(payment=payment, success_url=OK, cancel_url=BACK)
    payment_cancel(payment=payment)
    payload = event("evt_late", "checkout.session.completed", session_object(payment))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            WEBHOOK_URL,
            payload,
            content_type="application/json",
            headers={"Stripe-Signature": sign(payload)},
        )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_cny == payment.amount_cny
    assert signals.of("paid") == []


def test_platform_fee_checkout_on_stripe_mock(stripe_mock, enterprise_user):
    stripe_mock.PLATFORM_FEE_PERCENT = Decimal("1")
    fee = platform_fee_payment_create(
        reference="agreement:3", contract_value_cny=Decimal("123456.78"), payer=enterprise_user
    )
    assert fee is not None and fee.amount_cny == Decimal("1234.57")
    session = payment_start_checkout(payment=fee, success_url=OK, cancel_url=BACK)
    assert session.provider_ref.startswith("cs_")
    assert fee.status == PaymentStatus.PENDING
