"""Paid tickets and their checkout's life: the Checkout session expires with the seat hold, an
expired or failed checkout releases the seat at once, and a confirmed ticket is announced to
its attendee exactly once however often (or however concurrently) the provider delivers its
webhooks. Webhook payloads are signed with the test secret (tests/payments/conftest.py); the
stripe-mock tests carry ``@pytest.mark.stripe``."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from marketplace.models import Notification
from payments.models import Payment, PaymentStatus
from payments.providers.stripe import StripeProvider, checkout_expiry
from projects.choices import REGISTRATION_PAYMENT_PURPOSE
from projects.models import Registration
from projects.registrations import selectors as registration_selectors
from projects.registrations import services as registration_services
from projects.registrations.services import VERB_REGISTRATION_CONFIRMED
from tests import factories
from tests.payments.conftest import WEBHOOK_URL, event, session_object, sign
from tests.projects.roadshow_support import BACK, OK, make_roadshow

PRICE = "200.00"


def hold_pending(roadshow, user, *, session_id="cs_test_1", minutes=20) -> Registration:
    """A registration awaiting payment whose seat is held for `minutes` and whose Stripe
    checkout `session_id` is open (as `registration_create` leaves it)."""
    registration = Registration.objects.create(
        roadshow=roadshow,
        user=user,
        kind="guest",
        status="pending_payment",
        hold_until=timezone.now() + timedelta(minutes=minutes),
    )
    registration.payment = Payment.objects.create(
        purpose=REGISTRATION_PAYMENT_PURPOSE,
        reference=f"registration:{registration.pk}",
        description="Ticket",
        amount_cny=Decimal(PRICE),
        provider="stripe",
        provider_ref=session_id,
        checkout_url=f"https://checkout.stripe.com/c/pay/{session_id}",
        status=PaymentStatus.PENDING,
        payer=user,
    )
    registration.save()
    return registration


def post(client, payload: bytes):
    return client.post(
        WEBHOOK_URL, payload, content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )


def completed(registration: Registration, event_id: str) -> bytes:
    return event(event_id, "checkout.session.completed", session_object(registration.payment))


# --- the session's lifetime follows the hold ------------------------------------------------------


def test_checkout_expiry_keeps_a_hold_inside_stripes_allowed_range():
    now = timezone.now().replace(microsecond=0)
    assert checkout_expiry(now + timedelta(hours=2), now=now) == now + timedelta(hours=2)
    # Stripe refuses less than 30 minutes: a shorter hold is lengthened (with a margin).
    assert checkout_expiry(now + timedelta(minutes=10), now=now) == now + timedelta(minutes=31)
    # ... and more than 24 hours.
    assert checkout_expiry(now + timedelta(days=3), now=now) == now + timedelta(hours=24)
    assert checkout_expiry(None, now=now) == now + timedelta(hours=24)


@pytest.mark.django_db
def test_checkout_request_carries_the_hold_as_expires_at(stripe_settings, enterprise_user):
    payment = Payment.objects.create(
        purpose=REGISTRATION_PAYMENT_PURPOSE, reference="registration:1", description="Ticket",
        amount_cny=Decimal(PRICE), provider="stripe", payer=enterprise_user,
    )
    until = timezone.now().replace(microsecond=0) + timedelta(minutes=45)
    params = StripeProvider(name="stripe").checkout_params(
        payment=payment, success_url=OK, cancel_url=BACK, methods=["card"], expires_at=until
    )
    assert params["expires_at"] == int(until.timestamp())


@pytest.mark.stripe
@pytest.mark.django_db
def test_paid_registration_holds_its_seat_exactly_as_long_as_its_checkout_on_stripe_mock(
    stripe_mock, broker, enterprise_user
):
    stripe_mock.ROADSHOW_PAYMENT_HOLD_MINUTES = 45
    roadshow = make_roadshow(broker, projects=1, price=PRICE)
    before = timezone.now()
    outcome = registration_services.registration_create(
        roadshow=roadshow, user=enterprise_user, success_url=OK, cancel_url=BACK
    )
    registration = outcome.registration
    assert outcome.checkout_url and registration.status == "pending_payment"
    assert registration.hold_until is not None
    # The hold was asked for 45 minutes; the session expires then, and so does the hold.
    assert before + timedelta(minutes=44) < registration.hold_until
    assert registration.hold_until <= timezone.now() + timedelta(minutes=45)
    assert registration.hold_until.microsecond == 0  # a whole Unix second, as Stripe takes it


@pytest.mark.stripe
@pytest.mark.django_db
def test_a_hold_shorter_than_stripe_allows_lasts_as_long_as_the_checkout_on_stripe_mock(
    stripe_mock, broker, enterprise_user
):
    stripe_mock.ROADSHOW_PAYMENT_HOLD_MINUTES = 10
    roadshow = make_roadshow(broker, projects=1, price=PRICE)
    before = timezone.now()
    registration = registration_services.registration_create(
        roadshow=roadshow, user=enterprise_user, success_url=OK, cancel_url=BACK
    ).registration
    assert registration.hold_until is not None
    assert before + timedelta(minutes=31) <= registration.hold_until
    assert registration.hold_until <= timezone.now() + timedelta(minutes=31, seconds=1)


# --- expiry and failure release the seat at once ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "event_type", ["checkout.session.expired", "checkout.session.async_payment_failed"]
)
def test_expired_or_failed_checkout_releases_the_seat_at_once(
    client, stripe_settings, broker, enterprise_user, event_type
):
    roadshow = make_roadshow(broker, projects=1, price=PRICE, capacity=1)
    registration = hold_pending(roadshow, enterprise_user)
    assert registration_selectors.seats_taken(roadshow=roadshow) == 1
    payload = event(
        "evt_end", event_type, session_object(registration.payment, payment_status="unpaid")
    )
    assert post(client, payload).json()["result"] == "failed"
    registration.refresh_from_db()
    assert registration.status == "pending_payment" and registration.hold_until is None
    assert registration_selectors.seats_taken(roadshow=roadshow) == 0
    payment = Payment.objects.get(pk=registration.payment_id)
    assert payment.status == PaymentStatus.FAILED and payment.checkout_url == ""


@pytest.mark.django_db
def test_expiry_of_a_withdrawn_checkout_keeps_the_current_hold(
    client, stripe_settings, broker, enterprise_user
):
    roadshow = make_roadshow(broker, projects=1, price=PRICE, capacity=1)
    registration = hold_pending(roadshow, enterprise_user, session_id="cs_current")
    old = session_object(registration.payment, session_id="cs_withdrawn", payment_status="unpaid")
    assert post(client, event("evt_old", "checkout.session.expired", old)).json()["result"] == (
        "stale_checkout"
    )
    registration.refresh_from_db()
    assert registration.hold_until is not None
    assert registration_selectors.seats_taken(roadshow=roadshow) == 1


@pytest.mark.django_db
def test_a_declined_attempt_inside_an_open_checkout_keeps_the_seat(
    client, stripe_settings, broker, enterprise_user
):
    roadshow = make_roadshow(broker, projects=1, price=PRICE, capacity=1)
    registration = hold_pending(roadshow, enterprise_user)
    intent = {
        "id": "pi_declined",
        "object": "payment_intent",
        "status": "requires_payment_method",
        "metadata": {"keqiao_payment_id": str(registration.payment_id)},
    }
    response = post(client, event("evt_declined", "payment_intent.payment_failed", intent))
    assert response.json()["result"] == "ignored"
    assert registration_selectors.seats_taken(roadshow=roadshow) == 1


@pytest.mark.django_db
def test_serialised_registration_offers_no_checkout_link_once_the_hold_is_gone(
    client, stripe_settings, broker, enterprise_user
):
    from projects.registrations.serializers import RegistrationOutputSerializer

    roadshow = make_roadshow(broker, projects=1, price=PRICE)
    registration = hold_pending(roadshow, enterprise_user)
    assert RegistrationOutputSerializer(registration).data["checkout_url"]
    Registration.objects.filter(pk=registration.pk).update(
        hold_until=timezone.now() - timedelta(seconds=1)
    )
    registration.refresh_from_db()
    assert RegistrationOutputSerializer(registration).data["checkout_url"] is None


# --- exactly one confirmation notice ----------------------------------------------------------


@pytest.mark.django_db
def test_confirmed_paid_ticket_sends_one_notice_whatever_the_repeats(
    client, stripe_settings, broker, django_capture_on_commit_callbacks
):
    attendee = factories.enterprise_member()
    roadshow = make_roadshow(broker, projects=1, price=PRICE)
    registration = hold_pending(roadshow, attendee)
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, completed(registration, "evt_a")).json()["result"] == "paid"
        # The same event again, another event for the same payment, and a late async success.
        assert post(client, completed(registration, "evt_a")).json()["repeated"] is True
        assert post(client, completed(registration, "evt_b")).json()["result"] == "already_paid"
        late = event(
            "evt_c", "checkout.session.async_payment_succeeded",
            session_object(registration.payment),
        )
        assert post(client, late).json()["result"] == "already_paid"
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    notices = Notification.objects.filter(recipient=attendee, verb=VERB_REGISTRATION_CONFIRMED)
    assert notices.count() == 1
    text = notices.get().message
    assert registration.ticket_code in text and "已确认" in text and "confirmed" in text
    assert [m.to for m in mail.outbox] == [[attendee.email]]
    assert registration.ticket_code in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only  # threads share one database
def test_concurrent_deliveries_confirm_and_notify_once(stripe_settings, broker):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pytest.skip("an in-memory SQLite database is not shared safely between threads")
    attendee = factories.enterprise_member()
    roadshow = make_roadshow(broker, projects=1, price=PRICE)
    registration = hold_pending(roadshow, attendee)
    payloads = [completed(registration, "evt_same")] * 2 + [completed(registration, "evt_other")]
    barrier = threading.Barrier(len(payloads))
    statuses: list[int] = []

    def deliver(payload: bytes) -> None:
        barrier.wait()
        try:
            statuses.append(post(Client(), payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    assert Notification.objects.filter(verb=VERB_REGISTRATION_CONFIRMED).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.stripe
@pytest.mark.django_db
def test_after_its_checkout_expired_an_attendee_can_pay_again_while_seats_are_left_on_stripe_mock(
    stripe_mock, client, broker, enterprise_user
):
    roadshow = make_roadshow(broker, projects=1, price=PRICE, capacity=1)
    first = registration_services.registration_create(
        roadshow=roadshow, user=enterprise_user, success_url=OK, cancel_url=BACK
    ).registration
    payment = Payment.objects.get(pk=first.payment_id)
    expired = event(
        "evt_expired_e2e", "checkout.session.expired",
        session_object(payment, payment_status="unpaid"),
    )
    assert post(client, expired).json()["result"] == "failed"
    assert registration_selectors.seats_taken(roadshow=roadshow) == 0
    again = registration_services.registration_create(
        roadshow=roadshow, user=enterprise_user, success_url=OK, cancel_url=BACK
    )
    assert again.registration.pk == first.pk and again.checkout_url
    assert again.registration.hold_until is not None
    assert Payment.objects.get(pk=first.payment_id).status == PaymentStatus.PENDING
    assert registration_selectors.seats_taken(roadshow=roadshow) == 1
