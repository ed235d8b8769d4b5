"""Paid tickets: confirmed only by a verified webhook, once, in any order; staff cancellation
refunds. Webhook payloads are signed here with the test secret (tests/payments/conftest.py);
the end-to-end test runs against stripe-mock (``@pytest.mark.stripe``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Payment, PaymentStatus, WebhookEvent
from payments.providers.base import to_minor_units
from projects.choices import REGISTRATION_PAYMENT_PURPOSE
from projects.models import Registration
from projects.registrations import services as registration_services
from tests.payments.conftest import (
    WEBHOOK_URL,
    charge_refunded_object,
    event,
    session_object,
    sign,
)
from tests.projects.roadshow_support import client_for, make_roadshow, url

pytestmark = pytest.mark.django_db

PRICE = "200.00"


@pytest.fixture
def paid_roadshow(broker):
    return make_roadshow(broker, projects=1, price=PRICE)


@pytest.fixture
def pending(stripe_settings, paid_roadshow, enterprise_user):
    """A registration awaiting payment whose Stripe checkout cs_test_1 is open (as
    `registration_create` leaves it after stripe answered)."""
    registration = Registration.objects.create(
        roadshow=paid_roadshow, user=enterprise_user, kind="enterprise_member",
        status="pending_payment",
    )
    registration.payment = Payment.objects.create(
        purpose=REGISTRATION_PAYMENT_PURPOSE,
        reference=f"registration:{registration.pk}",
        description="Ticket",
        amount_cny=Decimal(PRICE),
        provider="stripe",
        provider_ref="cs_test_1",
        status=PaymentStatus.PENDING,
        payer=enterprise_user,
    )
    registration.save()
    return registration


def post_event(client, payload: bytes, signature: str | None = None):
    return client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature if signature is not None else sign(payload)},
    )


def completed(registration: Registration, event_id: str = "evt_paid_1") -> bytes:
    assert registration.payment is not None
    return event(event_id, "checkout.session.completed", session_object(registration.payment))


def test_signed_completed_webhook_confirms_the_registration(client, pending):
    response = post_event(client, completed(pending))
    assert response.status_code == 200 and response.json()["result"] == "paid"
    pending.refresh_from_db()
    assert pending.status == "confirmed" and pending.confirmed_at is not None


def test_webhook_with_a_bad_signature_is_400_and_confirms_nothing(client, pending):
    payload = completed(pending)
    forged = sign(payload, secret="whsec_someone_else")
    response = post_event(client, payload, signature=forged)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert post_event(client, payload, signature="").status_code == 400
    pending.refresh_from_db()
    assert pending.status == "pending_payment"
    assert not WebhookEvent.objects.exists()


def test_replayed_webhook_has_no_second_effect(client, pending):
    payload = completed(pending)
    post_event(client, payload)
    pending.refresh_from_db()
    confirmed_at = pending.confirmed_at
    again = post_event(client, payload)
    assert again.status_code == 200 and again.json()["repeated"] is True
    pending.refresh_from_db()
    assert (pending.status, pending.confirmed_at) == ("confirmed", confirmed_at)
    assert WebhookEvent.objects.count() == 1


def test_a_second_completed_event_for_the_same_payment_changes_nothing(client, pending):
    post_event(client, completed(pending, "evt_a"))
    response = post_event(client, completed(pending, "evt_b"))
    assert response.json()["result"] == "already_paid"
    assert Registration.objects.get(pk=pending.pk).status == "confirmed"


def test_refund_arriving_before_completion_leaves_a_consistent_refunded_state(client, pending):
    payment = pending.payment
    refunded = event(
        "evt_refund_first",
        "charge.refunded",
        charge_refunded_object(payment, amount_refunded=to_minor_units(payment.amount_cny)),
    )
    assert post_event(client, refunded).status_code == 200
    pending.refresh_from_db()
    payment.refresh_from_db()
    assert (pending.status, payment.status) == ("refunded", PaymentStatus.REFUNDED)
    late = post_event(client, completed(pending, "evt_completed_late"))
    assert late.status_code == 200
    pending.refresh_from_db()
    payment.refresh_from_db()
    assert (pending.status, payment.status) == ("refunded", PaymentStatus.REFUNDED)
    assert payment.refunded_cny == payment.amount_cny


def test_partial_refund_keeps_the_ticket(client, pending):
    post_event(client, completed(pending))
    payment = pending.payment
    partial = event(
        "evt_partial", "charge.refunded", charge_refunded_object(payment, amount_refunded=5000)
    )
    post_event(client, partial)
    pending.refresh_from_db()
    assert pending.status == "confirmed"


def test_expired_checkout_leaves_the_registration_unconfirmed_and_releases_its_seat(
    client, pending
):
    Registration.objects.filter(pk=pending.pk).update(
        hold_until=timezone.now() + timedelta(minutes=20)
    )
    payload = event(
        "evt_expired",
        "checkout.session.expired",
        {**session_object(pending.payment, payment_status="unpaid"), "status": "expired"},
    )
    assert post_event(client, payload).status_code == 200
    pending.refresh_from_db()
    assert pending.status == "pending_payment"
    assert pending.hold_until is None


def test_paid_ticket_without_online_payment_configured_is_503_and_writes_nothing(
    settings, paid_roadshow, enterprise_user
):
    settings.STRIPE_SECRET_KEY = ""
    settings.PAYMENT_PROVIDERS = {"dummy": {"BACKEND": "payments.providers.dummy.DummyProvider"}}
    response = client_for(enterprise_user).post(
        url("registrations", paid_roadshow), {}, format="json"
    )
    assert response.status_code == 503
    assert not Registration.objects.exists() and not Payment.objects.exists()


@pytest.fixture
def instant_provider(settings):
    """Payments settled at once by the project's dummy provider allowed to take money
    (its development mode), so refunds run without a Stripe server."""
    dummy = {
        "BACKEND": "payments.providers.dummy.DummyProvider",
        "OPTIONS": {"ALLOW_PAID": True},
    }
    settings.PAYMENT_PROVIDERS = {"dummy": dummy, "stripe": dummy}
    return settings


def test_staff_cancellation_refunds_in_full(
    instant_provider, paid_roadshow, broker, enterprise_user
):
    response = client_for(enterprise_user).post(
        url("registrations", paid_roadshow), {}, format="json"
    )
    registration = Registration.objects.get(pk=response.json()["id"])
    assert registration.status == "confirmed"  # the provider settled at once
    cancelled = client_for(broker).post(
        url("registration-cancel", paid_roadshow, registration_pk=registration.pk)
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "refunded"
    payment = Payment.objects.get(pk=registration.payment_id)
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_cny == Decimal(PRICE)
    again = client_for(broker).post(
        url("registration-cancel", paid_roadshow, registration_pk=registration.pk)
    )
    assert again.status_code == 409


def test_unpaid_registration_cancelled_by_the_attendee_cancels_its_payment(
    pending, enterprise_user
):
    registration_services.registration_cancel(registration=pending, actor=enterprise_user)
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    assert pending.payment.status == PaymentStatus.CANCELLED


# --- end to end on stripe-mock ------------------------------------------------------------------


@pytest.mark.stripe
def test_paid_registration_end_to_end_on_stripe_mock(
    stripe_mock, client, paid_roadshow, broker, enterprise_user
):
    response = client_for(enterprise_user).post(
        url("registrations", paid_roadshow), {}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending_payment"
    assert body["checkout_url"].startswith("https://")
    registration = Registration.objects.get(pk=body["id"])
    payment = registration.payment
    assert payment.status == PaymentStatus.PENDING and payment.provider_ref.startswith("cs_")
    assert payment.purpose == "roadshow_registration"
    assert payment.reference == f"registration:{registration.pk}"
    # The redirect back proves nothing; only the signed webhook confirms.
    assert Registration.objects.get(pk=registration.pk).status == "pending_payment"
    payload = event("evt_e2e_ticket", "checkout.session.completed", session_object(payment))
    assert post_event(client, payload).json()["result"] == "paid"
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    live = client_for(enterprise_user).get(url("live", paid_roadshow))
    assert live.status_code == 200
    # Staff cancellation refunds through Stripe.
    cancelled = registration_services.registration_cancel(registration=registration, actor=broker)
    assert cancelled.status == "refunded"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED


@pytest.mark.stripe
def test_registering_again_while_awaiting_payment_restarts_the_checkout(
    stripe_mock, paid_roadshow, enterprise_user
):
    first = registration_services.registration_create(
        roadshow=paid_roadshow, user=enterprise_user, success_url="https://example.com/a",
        cancel_url="https://example.com/b",
    )
    second = registration_services.registration_create(
        roadshow=paid_roadshow, user=enterprise_user, success_url="https://example.com/a",
        cancel_url="https://example.com/b",
    )
    assert second.registration.pk == first.registration.pk
    assert second.checkout_url and second.checkout_url.startswith("https://")
    assert Payment.objects.count() == 1
