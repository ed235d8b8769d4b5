"""The dummy provider: settles at once, with no outside service. For free items (a free
roadshow); set ``PAYMENT_PROVIDERS["dummy"]["OPTIONS"] = {"ALLOW_PAID": True}`` to let it
"collect" non-zero amounts too (development and demos only)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError
from payments.providers.base import (
    BasePaymentProvider,
    CheckoutRequest,
    CheckoutSession,
    InvalidSignature,
    ProviderEvent,
    Refund,
)

if TYPE_CHECKING:
    from payments.models import Payment


class DummyProvider(BasePaymentProvider):
    settles_immediately = True

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Paid at once (so `expires_at` does not apply); the payer goes straight to
        `success_url`. Raises `DomainError` for a non-zero amount unless the ``ALLOW_PAID``
        option is set."""
        if request.payment.amount_cny > 0 and not self.options.get("ALLOW_PAID"):
            raise DomainError(
                _("Only free items can be settled without an online payment provider."),
                code="payment_not_free",
            )
        ref = f"dummy_{uuid.uuid4().hex}"
        return CheckoutSession(
            url=request.success_url, provider_ref=ref, paid=True, provider_payment_ref=ref
        )

    def refund(self, *, payment: Payment, amount_cny: Decimal | None = None) -> Refund:
        """Refunded at once."""
        amount = payment.amount_cny - payment.refunded_cny if amount_cny is None else amount_cny
        return Refund(
            provider_ref=f"dummy_re_{uuid.uuid4().hex}", amount_cny=amount, status="succeeded"
        )

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> ProviderEvent:
        """The dummy provider sends no webhooks: every request is refused."""
        raise InvalidSignature("the dummy provider sends no webhooks")
