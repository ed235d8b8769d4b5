"""Optional platform fee: signing creates a payment of the configured
percentage of the contract value through the payment-provider interface, on stripe-mock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.choices import EventKind
from payments.models import Payment, PaymentStatus
from payments.services import payment_start_checkout
from tests.contracts import support
from tests.contracts.services.test_signing import sign

pytestmark = pytest.mark.django_db


def test_no_fee_payment_when_the_platform_fee_is_disabled(frozen, enterprise_user, researcher):
    sign(frozen, enterprise_user, support.CLIENT_A)
    sign(frozen, researcher, support.CLIENT_B)
    assert not Payment.objects.exists()


@pytest.mark.stripe
def test_signing_creates_the_platform_fee_payment_and_its_stripe_checkout_opens(
    frozen, enterprise_user, researcher, stripe_mock, settings
):
    settings.PLATFORM_FEE_PERCENT = Decimal("1.5")
    sign(frozen, enterprise_user, support.CLIENT_A)
    sign(frozen, researcher, support.CLIENT_B)

    payment = Payment.objects.get(reference=f"agreement:{frozen.pk}")
    assert payment.amount_cny == (support.PRICE * Decimal("0.015")).quantize(Decimal("0.01"))
    assert payment.provider == "stripe"
    assert payment.payer == researcher
    assert frozen.events.filter(kind=EventKind.PLATFORM_FEE).exists()

    session = payment_start_checkout(
        payment=payment, success_url="http://127.0.0.1/ok", cancel_url="http://127.0.0.1/no"
    )
    payment.refresh_from_db()
    assert session.url.startswith("http")
    assert payment.status == PaymentStatus.PENDING
