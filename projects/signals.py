"""The app's receivers of other apps' signals: the payment signals, for roadshow tickets
(purpose ``"roadshow_registration"``; other payments are not the app's business).

Connected by `projects.apps.ProjectsConfig.ready` (``connect()``). Each receiver only picks the
tickets out and calls the registration service that does the work
(`projects.registrations.services`: ``registration_on_payment_paid`` / ``_refunded`` /
``_failed``). The payment layer sends each signal once per change, inside the transaction that
changed the payment, so those writes commit or roll back with it; the services are idempotent
anyway.
"""

from __future__ import annotations

from typing import Any

from payments.models import Payment
from payments.signals import payment_failed, payment_paid, payment_refunded
from projects.choices import REGISTRATION_PAYMENT_PURPOSE
from projects.registrations.services import (
    registration_on_payment_failed,
    registration_on_payment_paid,
    registration_on_payment_refunded,
)

DISPATCH_PAID = "projects.registration_paid"
DISPATCH_REFUNDED = "projects.registration_refunded"
DISPATCH_FAILED = "projects.registration_payment_failed"


def on_payment_paid(sender: Any, payment: Payment, **kwargs: Any) -> None:
    """A ticket was paid (verified webhook): confirm its registration."""
    if payment.purpose == REGISTRATION_PAYMENT_PURPOSE:
        registration_on_payment_paid(payment=payment)


def on_payment_refunded(sender: Any, payment: Payment, **kwargs: Any) -> None:
    """Money of a ticket went back: a fully refunded registration becomes refunded."""
    if payment.purpose == REGISTRATION_PAYMENT_PURPOSE:
        registration_on_payment_refunded(payment=payment)


def on_payment_failed(sender: Any, payment: Payment, **kwargs: Any) -> None:
    """A ticket's checkout expired or its payment failed: release the held seat at once."""
    if payment.purpose == REGISTRATION_PAYMENT_PURPOSE:
        registration_on_payment_failed(payment=payment)


def connect() -> None:
    """Connect the receivers (idempotent: fixed dispatch uids)."""
    payment_paid.connect(on_payment_paid, dispatch_uid=DISPATCH_PAID)
    payment_refunded.connect(on_payment_refunded, dispatch_uid=DISPATCH_REFUNDED)
    payment_failed.connect(on_payment_failed, dispatch_uid=DISPATCH_FAILED)
