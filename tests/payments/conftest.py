"""Payment test helpers.

Webhook tests need no server: payloads are signed here with a test secret by Stripe's own
scheme (header ``t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{payload}")>``). Tests
against the official stripe-mock server carry ``@pytest.mark.stripe`` and use the
`stripe_mock` fixture, which skips them when STRIPE_API_BASE is not set (`make stripe-mock`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.dispatch import Signal

from payments.models import Payment, PaymentStatus
from payments.providers.base import to_minor_units
from tests.conftest import STRIPE_WEBHOOK_TEST_SECRET as WEBHOOK_SECRET

WEBHOOK_URL = "/payments/webhooks/stripe/"


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `payload`, computed independently of the stripe library."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(event_id: str, event_type: str, obj: dict[str, Any]) -> bytes:
    """A Stripe event envelope around `obj`, as Stripe posts it."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-08-26.dahlia",
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()


def session_object(
    payment: Payment,
    *,
    session_id: str | None = None,
    payment_intent: str = "pi_test_1",
    payment_status: str = "paid",
    amount_total: int | None = None,
) -> dict[str, Any]:
    return {
        "id": session_id or payment.provider_ref or "cs_test_1",
        "object": "checkout.session",
        "amount_total": to_minor_units(payment.amount_cny)
        if amount_total is None
        else amount_total,
        "currency": "cny",
        "client_reference_id": str(payment.pk),
        "metadata": {"keqiao_payment_id": str(payment.pk), "keqiao_reference": payment.reference},
        "mode": "payment",
        "payment_intent": payment_intent,
        "payment_status": payment_status,
        "status": "complete" if payment_status == "paid" else "open",
    }


def charge_refunded_object(
    payment: Payment, *, amount_refunded: int, payment_intent: str = "pi_test_1"
) -> dict[str, Any]:
    return {
        "id": "ch_test_1",
        "object": "charge",
        "amount": to_minor_units(payment.amount_cny),
        "amount_refunded": amount_refunded,
        "currency": "cny",
        "metadata": {"keqiao_payment_id": str(payment.pk)},
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= to_minor_units(payment.amount_cny),
    }


@pytest.fixture
def pending_payment(db, stripe_settings, enterprise_user):
    """A 200.00 CNY ticket whose Stripe checkout cs_test_1 is open."""
    return Payment.objects.create(
        purpose="registration",
        reference="registration:1",
        description="Roadshow ticket",
        amount_cny=Decimal("200.00"),
        provider="stripe",
        provider_ref="cs_test_1",
        status=PaymentStatus.PENDING,
        payer=enterprise_user,
    )


class SignalLog:
    """Records every payment signal sent during a test."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, Any]] = []

    def of(self, name: str) -> list[tuple[str, int, Any]]:
        return [c for c in self.calls if c[0] == name]


@pytest.fixture
def signals() -> Iterator[SignalLog]:
    from payments.signals import payment_failed, payment_paid, payment_refunded

    log = SignalLog()

    def on_paid(sender: Any, payment: Payment, **kwargs: Any) -> None:
        log.calls.append(("paid", payment.pk, None))

    def on_refunded(sender: Any, payment: Payment, amount_cny: Decimal, **kwargs: Any) -> None:
        log.calls.append(("refunded", payment.pk, amount_cny))

    def on_failed(sender: Any, payment: Payment, **kwargs: Any) -> None:
        log.calls.append(("failed", payment.pk, None))

    pairs: list[tuple[Signal, Callable[..., None]]] = [
        (payment_paid, on_paid),
        (payment_refunded, on_refunded),
        (payment_failed, on_failed),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, weak=False)
    yield log
    for signal, receiver in pairs:
        signal.disconnect(receiver)
