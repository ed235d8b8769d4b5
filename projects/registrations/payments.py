"""What a ticket's payment events do to its registration (the receivers called by
`projects.signals`): a paid ticket is confirmed and its attendee notified, a fully refunded one
becomes refunded, and the seat held for a checkout that expired or failed is released.

All run inside the transaction that changed the payment (the payment signals are sent
there), under the registration's row lock, so they commit or roll back with it and a repeated
or concurrent webhook finds nothing left to do.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from marketplace.notifications import notify
from payments.models import Payment, PaymentStatus
from payments.services import payment_refund
from projects.choices import RegistrationStatus
from projects.models import Registration

logger = logging.getLogger(__name__)

#: `Notification.verb` of a paid ticket's confirmation.
VERB_REGISTRATION_CONFIRMED = "roadshow_registration_confirmed"


def notify_registration_confirmed(*, registration: Registration) -> None:
    """Tell the attendee that a paid ticket is confirmed: one in-app `Notification` (verb
    `VERB_REGISTRATION_CONFIRMED`) written in the caller's transaction and one e-mail sent
    after it commits (`marketplace.notifications.notify`). Call it only on the pending →
    confirmed transition, which happens once per registration."""
    roadshow = registration.roadshow
    notify(
        users=[registration.user],
        verb=VERB_REGISTRATION_CONFIRMED,
        params={
            "roadshow_id": roadshow.pk,
            "title": roadshow.title,
            "ticket": registration.ticket_code,
            "starts": roadshow.starts_at.strftime("%Y-%m-%d %H:%M"),
        },
    )


def _registration_for_payment(payment: Payment) -> Registration | None:
    registration = Registration.objects.select_for_update().filter(payment_id=payment.pk).first()
    if registration is None:
        logger.error("Payment %s (%s) names no registration", payment.pk, payment.reference)
    return registration


def registration_on_payment_paid(*, payment: Payment) -> Registration | None:
    """Receiver of `payment_paid` for tickets (runs inside the webhook's transaction):
    a registration awaiting payment becomes confirmed and its attendee is notified (in-app now,
    e-mail after commit), exactly once. Idempotent; a registration that was cancelled
    meanwhile gets its money back after commit."""
    registration = _registration_for_payment(payment)
    if registration is None:
        return None
    if registration.status == RegistrationStatus.PENDING_PAYMENT:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = timezone.now()
        registration.hold_until = None
        registration.save(update_fields=["status", "confirmed_at", "hold_until", "updated_at"])
        # Only this transition notifies, under the registration's row lock: repeated or
        # concurrent webhooks find it confirmed and send nothing.
        notify_registration_confirmed(registration=registration)
    elif registration.status == RegistrationStatus.CANCELLED:
        payment_id = payment.pk
        transaction.on_commit(lambda: _refund_later(payment_id))
    return registration


def _refund_later(payment_id: int) -> None:
    try:
        payment_refund(payment=Payment.objects.get(pk=payment_id))
    except Exception:
        logger.exception("Could not refund payment %s of a cancelled registration", payment_id)


def registration_on_payment_refunded(*, payment: Payment) -> Registration | None:
    """Receiver of `payment_refunded` for tickets: once the whole amount is back, the
    registration (confirmed, or still awaiting payment when the refund overtook the payment's
    own event) becomes ``refunded``. Partial refunds leave it as it is. Idempotent."""
    if payment.status != PaymentStatus.REFUNDED:
        return None
    registration = _registration_for_payment(payment)
    if registration is None:
        return None
    if registration.status in (RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.CONFIRMED):
        registration.status = RegistrationStatus.REFUNDED
        registration.cancelled_at = registration.cancelled_at or timezone.now()
        registration.hold_until = None
        registration.save(update_fields=["status", "cancelled_at", "hold_until", "updated_at"])
    return registration


def registration_on_payment_failed(*, payment: Payment) -> Registration | None:
    """Receiver of `payment_failed` for tickets (a checkout expired or its payment failed):
    the registration's seat is released at once (`hold_until` cleared, so `seats_taken` no
    longer counts it). The registration stays awaiting payment without a hold: its attendee
    may start a new checkout while seats are left (`registration_create`). Idempotent."""
    registration = _registration_for_payment(payment)
    if registration is None:
        return None
    if registration.status == RegistrationStatus.PENDING_PAYMENT and registration.hold_until:
        registration.hold_until = None
        registration.save(update_fields=["hold_until", "updated_at"])
    return registration
