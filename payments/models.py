"""Payments: one `Payment` per amount a user owes for something (a roadshow ticket, a platform
fee), and one `WebhookEvent` per provider event received, so that each event is processed once.

The tables keep the names they had when these models belonged to the `marketplace` app
(``Meta.db_table``; the move changed Django's state only, see the migrations of both apps).
The payment layer is generic: a payment names what it pays for by `purpose` and `reference`
(e.g. ``"registration"`` / ``"registration:5"``, ``"platform_fee"`` / ``"agreement:12"``) and
the domain apps react to the `payment_paid` / `payment_refunded` / `payment_failed` signals of
`payments.signals`. Money is `Decimal` CNY with 2 places; times are aware UTC.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    """Life cycle of a payment; transitions only ever move forward (see `ALLOWED_TRANSITIONS`).

    created → pending (checkout started) → paid → partially_refunded → refunded;
    created/pending → failed (checkout expired or payment declined; a new checkout may be
    started); created/pending/failed → cancelled (the item was cancelled before payment);
    cancelled → refunded (money that arrived after cancellation was returned).
    """

    CREATED = "created", _("Created")
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


S = PaymentStatus
#: Every status change a payment may make. Anything else is ignored, which makes late or
#: repeated provider events harmless (a `paid` payment never goes back to `pending`).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.PENDING, S.PAID, S.FAILED, S.CANCELLED}),
    S.PENDING: frozenset({S.PENDING, S.PAID, S.FAILED, S.CANCELLED}),
    S.FAILED: frozenset({S.PENDING, S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.CANCELLED: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}


class Payment(models.Model):
    """An amount in CNY that `payer` owes for `reference`, collected through `provider`.

    `provider_ref` is the provider's checkout id (Stripe: the Checkout Session ``cs_…``);
    `provider_payment_ref` the id of the captured payment (Stripe: the PaymentIntent ``pi_…``),
    known once the provider reports payment. `refunded_cny` is the total refunded so far.
    """

    purpose = models.CharField(_("purpose"), max_length=40)
    reference = models.CharField(_("reference"), max_length=100, db_index=True)
    description = models.CharField(_("description"), max_length=200)
    amount_cny = models.DecimalField(
        _("amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    refunded_cny = models.DecimalField(
        _("refunded (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(max_length=3, default="cny", editable=False)
    provider = models.CharField(_("payment provider"), max_length=30)
    provider_ref = models.CharField(max_length=255, blank=True, db_index=True)
    provider_payment_ref = models.CharField(max_length=255, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    failure_reason = models.CharField(max_length=200, blank=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("payer"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "marketplace_payment"
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cny__gte=0), name="payment_amount_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_cny__gte=0)
                & models.Q(refunded_cny__lte=models.F("amount_cny")),
                name="payment_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_cny} CNY ({self.status})"

    @property
    def is_settled(self) -> bool:
        """True when the money was received and not all of it returned."""
        return self.status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)


class WebhookEvent(models.Model):
    """One provider event, stored when first received; `(provider, event_id)` is unique, so a
    repeat finds this row and returns `result` without acting again."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=60, blank=True)

    class Meta:
        db_table = "marketplace_webhookevent"
        ordering = ["-received_at", "-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="webhook_event_once_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.type}"


__all__ = ["ALLOWED_TRANSITIONS", "Payment", "PaymentStatus", "WebhookEvent"]
