"""What a ticket's payment events do to its registration beyond confirming it (that is
`projects.services.registration_on_payment_paid`): the attendee's confirmation notice, and
the release of the seat held for a checkout that expired or failed.

Both run inside the transaction that changed the payment (the payment signals are sent
there), under the registration's row lock, so they commit or roll back with it and a repeated
or concurrent webhook finds nothing left to do.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from marketplace.notifications import notify
from projects.choices import RegistrationStatus
from projects.models import Registration

if TYPE_CHECKING:
    from marketplace.payment_models import Payment

logger = logging.getLogger(__name__)

#: `Notification.verb` of a paid ticket's confirmation.
VERB_REGISTRATION_CONFIRMED = "roadshow_registration_confirmed"


def _confirmation_text(registration: Registration) -> str:
    roadshow = registration.roadshow
    return gettext(
        "Your payment was received: your registration for “%(title)s” is confirmed. "
        "Ticket %(ticket)s; the roadshow starts %(starts)s (UTC)."
    ) % {
        "title": roadshow.title,
        "ticket": registration.ticket_code,
        "starts": roadshow.starts_at.strftime("%Y-%m-%d %H:%M"),
    }


def notify_registration_confirmed(*, registration: Registration) -> None:
    """Tell the attendee that a paid ticket is confirmed: one in-app `Notification` (verb
    `VERB_REGISTRATION_CONFIRMED`, text in zh-Hans and en) written in the caller's transaction
    and one e-mail sent after it commits (`marketplace.notifications.notify`). Call it only on
    the pending → confirmed transition, which happens once per registration."""
    texts = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts[language] = _confirmation_text(registration)
    notify(
        users=[registration.user],
        verb=VERB_REGISTRATION_CONFIRMED,
        message_zh=texts["zh-hans"],
        message_en=texts["en"],
        url=reverse("roadshow-detail", args=[registration.roadshow_id]),
    )


def registration_on_payment_failed(*, payment: Payment) -> Registration | None:
    """Receiver of `payment_failed` for tickets (a checkout expired or its payment failed):
    the registration's seat is released at once (`hold_until` cleared, so `seats_taken` no
    longer counts it). The registration stays awaiting payment without a hold: its attendee
    may start a new checkout while seats are left (`registration_create`). Idempotent."""
    registration = Registration.objects.select_for_update().filter(payment_id=payment.pk).first()
    if registration is None:
        logger.error("Payment %s (%s) names no registration", payment.pk, payment.reference)
        return None
    if registration.status == RegistrationStatus.PENDING_PAYMENT and registration.hold_until:
        registration.hold_until = None
        registration.save(update_fields=["hold_until", "updated_at"])
    return registration
