"""Writes of registrations and tickets, and what a ticket's payment events do to them.

Registration and payment policy:
- Free events (`ticket_price_cny == 0`) confirm at once; no payment is made.
- Paid events create a `Payment` (purpose ``"roadshow_registration"``, reference
  ``"registration:<id>"``) and a Checkout session (card, Alipay, WeChat Pay where the account
  has them). The registration waits in ``pending_payment`` and holds its seat for
  ``ROADSHOW_PAYMENT_HOLD_MINUTES`` (default 30), and the Checkout session expires when the
  hold does: the hold ends exactly at the session's expiry (`CheckoutSession.expires_at`; with
  Stripe at least 31 minutes and at most 24 hours, see `payments.providers.stripe`). It is
  confirmed only by `payment_paid` (a verified webhook), never by the payer's redirect back,
  and the attendee then gets one e-mail and in-app notification (`registration_on_payment_paid`,
  which the receiver in `projects.signals` calls). An expired or failed checkout
  (`payment_failed`, `registration_on_payment_failed`) releases the seat at once; a hold past
  its time no longer counts even before that (`seats_taken`). The attendee may start a new
  checkout while seats are left. Money that arrives after the hold ran out (a delayed payment
  method) still confirms the ticket (the payer has paid; the event may be over capacity by the
  few who do so).
- Capacity: confirmed registrations plus holds that have not run out (`seats_taken`).
- Cancellation: an attendee may cancel until the event starts, staff at any time. A paid,
  confirmed ticket is refunded in full (``payment_refund``) and becomes ``refunded``;
  an unpaid one is cancelled with its payment (money that still arrives is returned by the
  payment layer). Cancelling a whole event (`roadshow_cancel`) does this for every ticket.

Errors: `DomainError` (400), `PermissionDeniedError` (403), `ConflictError` (409).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, DomainError, PermissionDeniedError, field_error
from kernel.locking import lock_row
from marketplace import roles
from marketplace.choices import Role
from marketplace.models import Membership
from marketplace.notifications import notify
from payments.models import Payment, PaymentStatus
from payments.services import (
    payment_cancel,
    payment_create,
    payment_refund,
    payment_start_checkout,
)
from projects.choices import (
    REGISTRATION_PAYMENT_PURPOSE,
    AttendeeKind,
    RegistrationStatus,
    RoadshowStatus,
)
from projects.models import Registration, Roadshow
from projects.permissions import is_host_staff
from projects.registrations.selectors import payment_hold, registration_active, seats_taken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

RS = RoadshowStatus
REG = RegistrationStatus
#: Checkout payment methods offered for tickets (the provider drops those not activated).
TICKET_PAYMENT_METHODS = ("card", "alipay", "wechat_pay")


# --- registrations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationOutcome:
    """A registration and, for a paid ticket, where to send the payer (`checkout_url`)."""

    registration: Registration
    checkout_url: str | None = None


def _attendee_kinds(user: User) -> list[str]:
    user_roles = set(Membership.objects.filter(user_id=user.pk).values_list("role", flat=True))
    kinds = []
    if Role.ENTERPRISE_MEMBER in user_roles:
        kinds.append(AttendeeKind.ENTERPRISE_MEMBER.value)
    if Role.RESEARCHER in user_roles:
        kinds.append(AttendeeKind.RESEARCHER.value)
    kinds.append(AttendeeKind.GUEST.value)
    return kinds


def _registration_open(roadshow: Roadshow) -> None:
    if roadshow.status not in (RS.SCHEDULED, RS.LIVE) or timezone.now() >= roadshow.ends_at:
        raise ConflictError(_("Registration for this roadshow is closed."))


def _reference(registration: Registration) -> str:
    return f"registration:{registration.pk}"


def registration_create(
    *,
    roadshow: Roadshow,
    user: User,
    success_url: str,
    cancel_url: str,
    kind: str | None = None,
) -> RegistrationOutcome:
    """Register `user` for `roadshow`.

    `kind` (an `AttendeeKind`) defaults to what the user's memberships say (enterprise
    member, researcher, else guest); anyone may register as a guest. Free events: confirmed at
    once. Paid events: a pending registration holding its seat, a payment and a Checkout
    session whose URL is returned; the webhook confirms it. A user with a registration
    awaiting payment gets a fresh checkout for it (the earlier one is withdrawn).
    Raises 403 (not logged in), 409 (closed, full, already registered), 400 on ``kind``,
    `PaymentNotConfigured` (503) when a ticket costs money and no provider can take it,
    `PaymentProviderError` (503) — then a new registration is cancelled and its seat freed
    (a resumed one is left waiting: its earlier checkout may have been paid).
    """
    if not user.is_authenticated:
        raise PermissionDeniedError(_("Log in to register."))
    allowed_kinds = _attendee_kinds(user)
    if kind is not None and kind not in allowed_kinds:
        raise field_error("kind", _("Your memberships do not match this attendee type."))
    hold_until = timezone.now() + payment_hold()
    with transaction.atomic():
        registration, resumed = _take_seat(
            roadshow=roadshow, user=user, kind=kind or allowed_kinds[0], hold_until=hold_until
        )
        if registration.status == REG.CONFIRMED:  # a free event: no payment
            return RegistrationOutcome(registration)
    return _start_checkout(
        registration,
        resumed=resumed,
        success_url=success_url,
        cancel_url=cancel_url,
        hold_until=hold_until,
    )


def _take_seat(
    *, roadshow: Roadshow, user: User, kind: str, hold_until: datetime
) -> tuple[Registration, bool]:
    """Inside the caller's transaction, under the roadshow's row lock: a new registration
    (confirmed for a free event; else awaiting payment, holding its seat until `hold_until`,
    with its `Payment`), or the user's registration awaiting payment with a fresh hold.
    Returns (registration, resumed). 409 when closed, full or already registered."""
    locked = lock_row(roadshow)
    _registration_open(locked)
    registration = registration_active(roadshow=locked, user=user)
    resumed = registration is not None
    if registration is not None and registration.status == REG.CONFIRMED:
        raise ConflictError(_("You are already registered for this roadshow."))
    holds_seat = registration is not None and (
        registration.hold_until is not None and registration.hold_until > timezone.now()
    )
    if not holds_seat and seats_taken(roadshow=locked) >= locked.capacity:
        raise ConflictError(_("This roadshow is full."), code="full")
    if registration is None:
        registration = Registration.objects.create(
            roadshow=locked,
            user=user,
            organization=roles.primary_organization(user),
            kind=kind,
            status=REG.CONFIRMED if locked.is_free else REG.PENDING_PAYMENT,
            confirmed_at=timezone.now() if locked.is_free else None,
            hold_until=None if locked.is_free else hold_until,
        )
        if locked.is_free:
            return registration, resumed
        registration.payment = payment_create(
            purpose=REGISTRATION_PAYMENT_PURPOSE,
            reference=_reference(registration),
            amount_cny=locked.ticket_price_cny,
            description=gettext("Ticket: %(title)s") % {"title": locked.title},
            payer=user,
        )
        registration.save(update_fields=["payment", "updated_at"])
    else:
        registration.hold_until = hold_until
        registration.save(update_fields=["hold_until", "updated_at"])
    return registration, resumed


def _start_checkout(
    registration: Registration,
    *,
    resumed: bool,
    success_url: str,
    cancel_url: str,
    hold_until: datetime,
) -> RegistrationOutcome:
    """Start the provider's checkout for a registration awaiting payment (outside the lock:
    a network call). A new registration whose checkout cannot start is cancelled and its
    seat freed; the seat is then held exactly as long as the provider takes payment."""
    payment = registration.payment
    assert payment is not None
    try:
        session = payment_start_checkout(
            payment=payment,
            success_url=success_url,
            cancel_url=cancel_url,
            methods=TICKET_PAYMENT_METHODS,
            expires_at=hold_until,
        )
    except DomainError:
        if not resumed:  # a resumed checkout may already be paid: leave it to the webhook
            _release(registration)
        raise
    if session.expires_at is not None and not session.paid:
        # The seat is held exactly as long as the provider takes payment for it.
        Registration.objects.filter(pk=registration.pk, status=REG.PENDING_PAYMENT).update(
            hold_until=session.expires_at, updated_at=timezone.now()
        )
    registration.refresh_from_db()
    return RegistrationOutcome(registration, session.url if not session.paid else None)


def _release(registration: Registration) -> None:
    """Give up a registration whose checkout could not start."""
    with transaction.atomic():
        locked = lock_row(registration)
        if locked.status == REG.PENDING_PAYMENT:
            locked.status = REG.CANCELLED
            locked.cancelled_at = timezone.now()
            locked.save(update_fields=["status", "cancelled_at", "updated_at"])
            if locked.payment is not None:
                try:
                    payment_cancel(payment=locked.payment)
                except ConflictError:
                    logger.warning("Payment of registration %s was already paid", locked.pk)


def registration_cancel(*, registration: Registration, actor: User) -> Registration:
    """Cancel a ticket: the attendee until the event starts (409 after), host staff at any
    time (403 for others). A paid, received payment is refunded in full and the registration
    becomes ``refunded``; otherwise it becomes ``cancelled`` (an unpaid payment is cancelled).
    409 when already cancelled or refunded. `PaymentProviderError` (503) when the refund
    fails — then nothing changes."""
    roadshow = registration.roadshow
    is_staff = is_host_staff(user=actor, roadshow=roadshow)
    if not is_staff:
        if not actor.is_authenticated or registration.user_id != actor.pk:
            raise PermissionDeniedError(_("You cannot cancel this registration."))
        if roadshow.status != RS.SCHEDULED or timezone.now() >= roadshow.starts_at:
            raise ConflictError(_("Tickets can be cancelled only before the roadshow starts."))
    registration.refresh_from_db()
    if registration.status not in (REG.PENDING_PAYMENT, REG.CONFIRMED):
        raise ConflictError(_("This registration is already cancelled."))
    payment = registration.payment
    refunded = False
    if payment is not None:
        payment.refresh_from_db()
        if payment.is_settled:
            payment_refund(payment=payment)  # full refund; network call outside our lock
            refunded = True
        elif payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING, PaymentStatus.FAILED):
            payment_cancel(payment=payment)
    with transaction.atomic():
        locked = lock_row(registration)
        if locked.status in (REG.PENDING_PAYMENT, REG.CONFIRMED) or refunded:
            locked.status = REG.REFUNDED if refunded else REG.CANCELLED
            locked.cancelled_at = locked.cancelled_at or timezone.now()
            locked.hold_until = None
            locked.save(update_fields=["status", "cancelled_at", "hold_until", "updated_at"])
    registration.refresh_from_db()
    return registration


# --- payment events ---------------------------------------------------------------------------
#
# What a ticket's payment events do to its registration, called by the receivers of the
# payment signals (`projects.signals`): a paid ticket is confirmed and its attendee notified, a
# fully refunded one becomes refunded, and the seat held for a checkout that expired or failed
# is released. All run inside the transaction that changed the payment (the payment signals
# are sent there), under the registration's row lock, so they commit or roll back with it and
# a repeated or concurrent webhook finds nothing left to do.


#: `Notification.verb` of a paid ticket's confirmation.
VERB_REGISTRATION_CONFIRMED = "registration.confirmed"


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


__all__ = [
    "TICKET_PAYMENT_METHODS",
    "VERB_REGISTRATION_CONFIRMED",
    "RegistrationOutcome",
    "notify_registration_confirmed",
    "registration_cancel",
    "registration_create",
    "registration_on_payment_failed",
    "registration_on_payment_paid",
    "registration_on_payment_refunded",
]
