"""Payment services: create a payment, start its checkout, refund it, cancel it, and receive
the provider's webhooks.

A payment is confirmed only by the provider: by a verified webhook (Stripe) or at once by a
provider that settles immediately (the dummy provider for free items) — never by the payer's
redirect back. Webhooks are processed once per event id; state only moves forward
(`payments.models.ALLOWED_TRANSITIONS`) and refund totals only grow, so repeated,
late or out-of-order events change nothing twice. Domain apps react through the signals in
`payments.signals`.

Permissions are the caller's business: these services trust their caller (the roadshow and
contract services check who may refund or pay what).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, DomainError
from kernel.locking import copy_locked_fields, lock_row
from payments.models import ALLOWED_TRANSITIONS, Payment, PaymentStatus, WebhookEvent
from payments.providers import default_provider_name, get_provider
from payments.providers.base import (
    CheckoutRequest,
    CheckoutSession,
    EventKind,
    ProviderEvent,
    to_minor_units,
)
from payments.signals import payment_failed, payment_paid, payment_refunded

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

S = PaymentStatus
STARTABLE = frozenset({S.CREATED, S.PENDING, S.FAILED})


def _can(payment: Payment, status: str) -> bool:
    return status in ALLOWED_TRANSITIONS[payment.status]


# --- creating and paying -------------------------------------------------------------------------


@transaction.atomic
def payment_create(
    *,
    purpose: str,
    reference: str,
    amount_cny: Decimal,
    description: str,
    payer: User | None = None,
    provider: str | None = None,
) -> Payment:
    """A new payment (status created) of `amount_cny` (Decimal CNY, ≥ 0, whole fen) for
    `reference` (e.g. ``"registration:5"``), shown to the payer as `description`.

    `provider` defaults to ``"dummy"`` for a free item and ``"stripe"`` otherwise. Raises
    `DomainError` (field ``amount_cny``) for a bad amount or a paid item on the dummy provider
    without ``ALLOW_PAID``, `PaymentNotConfigured` when money is due and no provider can take it.
    """
    try:
        to_minor_units(amount_cny)
    except ValueError:
        raise DomainError(
            _("Enter an amount in yuan with at most two decimal places, not negative."),
            fields={"amount_cny": [_("Enter a valid amount.")]},
        ) from None
    name = provider or default_provider_name(amount_cny=amount_cny)
    instance = get_provider(name)
    if amount_cny > 0 and instance.settles_immediately and not instance.options.get("ALLOW_PAID"):
        raise DomainError(
            _("Only free items can be settled without an online payment provider."),
            code="payment_not_free",
            fields={"amount_cny": [_("This provider only settles free items.")]},
        )
    if amount_cny == 0 and not instance.settles_immediately:
        raise DomainError(
            _("Free items need no online payment."),
            fields={"amount_cny": [_("Enter an amount above zero.")]},
        )
    return Payment.objects.create(
        purpose=purpose,
        reference=reference,
        description=description[:200],
        amount_cny=amount_cny,
        provider=name,
        payer=payer,
    )


def payment_start_checkout(
    *,
    payment: Payment,
    success_url: str,
    cancel_url: str,
    methods: Sequence[str] | None = None,
    expires_at: datetime | None = None,
) -> CheckoutSession:
    """Open the provider's checkout for `payment` (status created, pending or failed) and
    return where to send the payer. `expires_at` (aware UTC) asks the provider to stop
    accepting payment then; the session's actual expiry is `CheckoutSession.expires_at` (a
    provider may move it into its allowed range). The payment becomes pending — or paid at once
    with a provider that settles immediately, which sends `payment_paid`. A pending payment's
    earlier checkout is withdrawn. Raises `ConflictError` when the payment can no longer be paid,
    `PaymentProviderError` when the provider fails. `payment` is updated in place.
    """
    if payment.status not in STARTABLE:
        raise ConflictError(_("This payment can no longer be paid."))
    provider = get_provider(payment.provider)
    # The provider call stays outside the transaction: no lock is held over the network.
    request = CheckoutRequest(
        payment=payment, success_url=success_url, cancel_url=cancel_url,
        methods=methods, expires_at=expires_at,
    )
    session = provider.create_checkout(request)
    with transaction.atomic():
        locked = lock_row(payment)
        if locked.status not in STARTABLE:
            raise ConflictError(_("This payment can no longer be paid."))
        locked.provider_ref = session.provider_ref
        locked.checkout_url = session.url
        locked.status = S.PENDING
        locked.failure_reason = ""
        locked.save()
        if session.paid:
            _settle(locked, provider_payment_ref=session.provider_payment_ref)
        copy_locked_fields(locked, payment)
    return session


def payment_cancel(*, payment: Payment) -> Payment:
    """Cancel a payment that has not been paid (the item was cancelled first). Money that
    arrives for it later is returned automatically. Raises `ConflictError` for a paid payment
    (refund it instead). Cancelling twice is harmless."""
    with transaction.atomic():
        locked = lock_row(payment)
        if locked.status != S.CANCELLED:
            if not _can(locked, S.CANCELLED):
                raise ConflictError(_("A paid payment cannot be cancelled; refund it instead."))
            locked.status = S.CANCELLED
            locked.save()
        copy_locked_fields(locked, payment)
    return payment


def payment_refund(*, payment: Payment, amount_cny: Decimal | None = None) -> Payment:
    """Return `amount_cny` (default: all not yet refunded) of a received payment to the payer.

    Allowed for a paid or partially refunded payment, and for a cancelled one whose money
    arrived after cancellation. Records the refund when the provider reports it done (else its
    webhook does) and sends `payment_refunded`. Raises `ConflictError` when nothing can be
    refunded, `DomainError` (field ``amount_cny``) for an amount above what is left,
    `PaymentProviderError` when the provider fails. `payment` is updated in place.
    """
    current = Payment.objects.get(pk=payment.pk)
    received = current.is_settled or (current.status == S.CANCELLED and current.paid_at)
    left = current.amount_cny - current.refunded_cny
    if not received or left <= 0:
        raise ConflictError(_("There is nothing to refund for this payment."))
    amount = left if amount_cny is None else amount_cny
    if amount <= 0 or amount > left:
        raise DomainError(
            _("The refund must be above zero and at most the amount not yet refunded."),
            fields={"amount_cny": [_("At most %(left)s yuan can be refunded.") % {"left": left}]},
        )
    try:
        to_minor_units(amount)
    except ValueError:
        raise DomainError(
            _("Enter an amount in yuan with at most two decimal places, not negative."),
            fields={"amount_cny": [_("Enter a valid amount.")]},
        ) from None
    refund = get_provider(current.provider).refund(payment=current, amount_cny=amount)
    with transaction.atomic():
        locked = lock_row(current)
        if refund.succeeded:
            # Totals only grow: a webhook that already counted this refund changes nothing.
            _record_refund_total(locked, current.refunded_cny + refund.amount_cny)
        copy_locked_fields(locked, payment)
    return payment


# --- state changes (callers hold the row lock) ---------------------------------------------------


def _settle(payment: Payment, *, provider_payment_ref: str, notify: bool = True) -> bool:
    """Mark paid when allowed; True if it changed. Sends `payment_paid` unless `notify` is
    False (money already refunded in full before we heard it was paid)."""
    if not _can(payment, S.PAID):
        return False
    payment.status = S.PAID
    payment.paid_at = payment.paid_at or timezone.now()
    payment.provider_payment_ref = provider_payment_ref or payment.provider_payment_ref
    payment.failure_reason = ""
    payment.save()
    if notify:
        payment_paid.send(sender=Payment, payment=payment)
    return True


def _record_refund_total(payment: Payment, total_cny: Decimal) -> bool:
    """Raise the refunded total to `total_cny` (capped at the amount); True if it grew.
    A cancelled payment stays cancelled until the refund is complete."""
    total = min(total_cny, payment.amount_cny)
    if total <= payment.refunded_cny:
        return False
    delta = total - payment.refunded_cny
    payment.refunded_cny = total
    payment.refunded_at = timezone.now()
    if total >= payment.amount_cny and _can(payment, S.REFUNDED):
        payment.status = S.REFUNDED
    elif _can(payment, S.PARTIALLY_REFUNDED):
        payment.status = S.PARTIALLY_REFUNDED
    payment.save()
    payment_refunded.send(sender=Payment, payment=payment, amount_cny=delta)
    return True


def _fail(payment: Payment, *, reason: str) -> bool:
    if payment.status not in (S.CREATED, S.PENDING):
        return False
    payment.status = S.FAILED
    payment.failure_reason = reason[:200]
    payment.checkout_url = ""  # the provider no longer takes payment there
    payment.save()
    payment_failed.send(sender=Payment, payment=payment)
    return True


def _refund_after_cancellation(payment_id: int) -> None:
    """On commit: return money that arrived for a cancelled payment. Failures are logged for
    staff (the payment shows `paid_at` with status cancelled) and never fail the webhook."""
    try:
        payment_refund(payment=Payment.objects.get(pk=payment_id))
    except Exception:
        logger.exception("Could not refund payment %s received after cancellation", payment_id)


# --- webhooks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResult:
    """What became of a webhook: the event's id and type, the `result` recorded for it
    (e.g. ``"paid"``, ``"already_paid"``, ``"refunded"``, ``"ignored"``), the payment it
    concerned, and whether it was a repeat of an event already processed."""

    event_id: str
    type: str
    result: str
    payment_id: int | None
    repeated: bool = False


def _find_payment(provider: str, event: ProviderEvent) -> Payment | None:
    """The payment an event names: by our id from its metadata, else by the provider's
    checkout or payment id. Locked for the rest of the transaction."""
    payments = Payment.objects.select_for_update().filter(provider=provider)
    if event.payment_id is not None and (payment := payments.filter(pk=event.payment_id).first()):
        return payment
    if event.checkout_ref and (payment := payments.filter(provider_ref=event.checkout_ref).first()):
        return payment
    if event.payment_ref:
        return payments.filter(provider_payment_ref=event.payment_ref).first()
    return None


def _on_paid(event: ProviderEvent, payment: Payment) -> str:
    if event.currency != payment.currency or event.amount_cny != payment.amount_cny:
        logger.error(
            "Event %s paid %s %s, but payment %s is for %s CNY",
            event.id,
            event.amount_cny,
            event.currency,
            payment.pk,
            payment.amount_cny,
        )
        return "amount_mismatch"
    if payment.status == S.CANCELLED:
        if payment.paid_at:
            return "already_received"
        # Money for something cancelled first: keep it cancelled and give the money back.
        payment.paid_at = timezone.now()
        payment.provider_payment_ref = event.payment_ref
        payment.provider_ref = event.checkout_ref or payment.provider_ref
        payment.save()
        payment_id = payment.pk
        transaction.on_commit(lambda: _refund_after_cancellation(payment_id))
        return "refund_after_cancellation"
    if _settle(payment, provider_payment_ref=event.payment_ref):
        if event.checkout_ref:
            payment.provider_ref = event.checkout_ref
            payment.save(update_fields=["provider_ref", "updated_at"])
        return "paid"
    if event.payment_ref and payment.provider_payment_ref not in ("", event.payment_ref):
        logger.error(
            "Payment %s was paid twice (%s and %s): refund the second in the provider's dashboard",
            payment.pk,
            payment.provider_payment_ref,
            event.payment_ref,
        )
        return "duplicate_payment"
    return "already_paid"


def _on_failed(event: ProviderEvent, payment: Payment) -> str:
    # Only the payment's current checkout can fail it; an older, withdrawn one cannot.
    if event.checkout_ref and event.checkout_ref != payment.provider_ref:
        return "stale_checkout"
    return "failed" if _fail(payment, reason=event.failure_reason) else "ignored"


def _on_refunded(event: ProviderEvent, payment: Payment) -> str:
    total = event.refunded_total_cny or Decimal("0")
    if payment.status in STARTABLE:
        # The refund overtook the payment's own event: the money was received, so record the
        # payment — without `payment_paid` when all of it has already gone back.
        _settle(payment, provider_payment_ref=event.payment_ref, notify=total < payment.amount_cny)
    elif payment.status == S.CANCELLED and not payment.paid_at:
        payment.paid_at = timezone.now()
        payment.provider_payment_ref = event.payment_ref
        payment.save()
    return "refunded" if _record_refund_total(payment, total) else "already_refunded"


_HANDLERS: dict[str, Callable[[ProviderEvent, Payment], str]] = {
    EventKind.PAID: _on_paid,
    EventKind.AWAITING: lambda event, payment: "awaiting_payment",
    EventKind.FAILED: _on_failed,
    EventKind.REFUNDED: _on_refunded,
}


def _handle(provider: str, event: ProviderEvent) -> tuple[str, Payment | None]:
    handler = _HANDLERS.get(event.kind)
    if handler is None:
        return "ignored", None
    payment = _find_payment(provider, event)
    if payment is None:
        logger.warning("%s event %s names no known payment", provider, event.id)
        return "unknown_payment", None
    return handler(event, payment), payment


def webhook_receive(*, provider: str, payload: bytes, signature_header: str) -> WebhookResult:
    """Verify, record and act on one webhook request, once per event id.

    `payload` is the raw request body, `signature_header` its signature header. Raises
    `InvalidSignature` (nothing is stored) and `UnknownProvider`. A repeat of a processed event
    returns the stored result with ``repeated=True`` and changes nothing. An unhandled event
    type is stored with result ``"ignored"``. If acting fails, nothing is stored and the
    exception propagates, so the provider sends the event again.
    """
    event = get_provider(provider).parse_webhook(payload=payload, signature_header=signature_header)
    try:
        with transaction.atomic():
            record, _created = WebhookEvent.objects.select_for_update().get_or_create(
                provider=provider,
                event_id=event.id,
                defaults={"type": event.type[:100], "payload": event.payload},
            )
            if record.processed_at is not None:
                return WebhookResult(
                    event.id, record.type, record.result, record.payment_id, repeated=True
                )
            result, payment = _handle(provider, event)
            record.result = result
            record.payment = payment
            record.processed_at = timezone.now()
            record.save()
            return WebhookResult(event.id, event.type, result, payment.pk if payment else None)
    except IntegrityError:
        # The same event delivered twice at once: the other delivery processed it.
        record = WebhookEvent.objects.get(provider=provider, event_id=event.id)
        return WebhookResult(event.id, record.type, record.result, record.payment_id, True)
