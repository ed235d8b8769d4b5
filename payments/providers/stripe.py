"""The Stripe provider: Checkout Sessions in CNY (card, Alipay, WeChat Pay), refunds, and
webhook verification. The only module that imports `stripe`.

Settings: ``STRIPE_SECRET_KEY`` (required), ``STRIPE_WEBHOOK_SECRET`` (the endpoint's signing
secret ``whsec_…``), ``STRIPE_API_BASE`` (empty: Stripe itself; in tests the stripe-mock server,
e.g. ``http://127.0.0.1:12111``). Options (``PAYMENT_PROVIDERS["stripe"]["OPTIONS"]``):
``PAYMENT_METHODS`` — the Checkout payment method types to offer, default
``["card", "alipay", "wechat_pay"]``; when Stripe refuses a list because the account has not
activated a method, the session is made again with ``["card"]``.

Every request sends the pinned API version `STRIPE_API_VERSION`, so a library upgrade does not
silently change the shapes we read. It is the version of the OpenAPI spec bundled with the
pinned stripe-mock (scripts/stripe-mock.sh), which the tests run with ``-strict-version-check``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError
from kernel.ids import id_from_text
from payments.providers.base import (
    BasePaymentProvider,
    CheckoutRequest,
    CheckoutSession,
    EventKind,
    InvalidSignature,
    PaymentNotConfigured,
    PaymentProviderError,
    ProviderEvent,
    Refund,
    from_minor_units,
    to_minor_units,
)

if TYPE_CHECKING:
    from payments.models import Payment

logger = logging.getLogger(__name__)

#: Stripe API version sent with every request (the version of stripe-mock v0.203.0's spec).
STRIPE_API_VERSION = "2026-08-26.dahlia"
#: Checkout payment method types offered by default; Alipay and WeChat Pay need CNY support on
#: the account. WeChat Pay in Checkout requires ``payment_method_options.wechat_pay.client``.
DEFAULT_PAYMENT_METHODS: tuple[str, ...] = ("card", "alipay", "wechat_pay")
FALLBACK_PAYMENT_METHODS: tuple[str, ...] = ("card",)
#: Oldest webhook signature timestamp accepted, in seconds (Stripe's default).
WEBHOOK_TOLERANCE_SECONDS = 300
#: A Checkout Session's `expires_at` "can be anywhere from 30 minutes to 24 hours after Checkout
#: Session creation" (Stripe API reference, Create a Checkout Session, ``expires_at``; the default
#: is 24 hours). Stripe measures from when it creates the session, a moment after we send the
#: request, so the shortest lifetime we ask for carries a margin for the request's travel time
#: and retries.
CHECKOUT_MIN_LIFETIME = timedelta(minutes=30)
CHECKOUT_MAX_LIFETIME = timedelta(hours=24)
CHECKOUT_LIFETIME_MARGIN = timedelta(minutes=1)
#: Metadata key carrying our payment id on sessions, payment intents (and so charges) and refunds.
METADATA_PAYMENT_ID = "keqiao_payment_id"


def _metadata(payment: Payment) -> dict[str, str]:
    return {METADATA_PAYMENT_ID: str(payment.pk), "keqiao_reference": payment.reference}


def checkout_expiry(requested: datetime | None, *, now: datetime | None = None) -> datetime:
    """When a Checkout Session asked to expire at `requested` (aware UTC; None: as late as
    allowed) will expire: `requested` moved into Stripe's allowed range, i.e. at least
    `CHECKOUT_MIN_LIFETIME` + `CHECKOUT_LIFETIME_MARGIN` (31 minutes) and at most
    `CHECKOUT_MAX_LIFETIME` (24 hours) after `now`, in whole seconds (Stripe takes a Unix time).
    A seat hold shorter than 31 minutes therefore lasts 31 minutes with Stripe: the caller holds
    the seat until the returned time, so the payer can never pay for a released seat."""
    now = now or timezone.now()
    earliest = now + CHECKOUT_MIN_LIFETIME + CHECKOUT_LIFETIME_MARGIN
    latest = now + CHECKOUT_MAX_LIFETIME
    chosen = latest if requested is None else min(max(requested, earliest), latest)
    # Whole seconds: rounded down, except where that would fall below the earliest time.
    whole = chosen.replace(microsecond=0)
    return whole if whole >= earliest else whole + timedelta(seconds=1)


class StripeProvider(BasePaymentProvider):
    signature_header_name = "Stripe-Signature"

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise PaymentNotConfigured(_("Online payment is not configured on this site."))
        base_addresses: dict[str, str | None] = {}
        if settings.STRIPE_API_BASE:
            base_addresses["api"] = settings.STRIPE_API_BASE
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            stripe_version=STRIPE_API_VERSION,
            base_addresses=base_addresses,  # type: ignore[arg-type]
            max_network_retries=2,  # retried requests reuse one idempotency key
        )

    def payment_methods(self, requested: Sequence[str] | None = None) -> list[str]:
        """The configured methods, narrowed to `requested` when given; never empty."""
        configured = list(self.options.get("PAYMENT_METHODS") or DEFAULT_PAYMENT_METHODS)
        chosen = [m for m in configured if requested is None or m in requested]
        return chosen or list(FALLBACK_PAYMENT_METHODS)

    def checkout_params(
        self,
        *,
        payment: Payment,
        success_url: str,
        cancel_url: str,
        methods: Sequence[str],
        expires_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The Checkout Session request for `payment` (one line item, CNY, in fen), expiring at
        `expires_at` (aware UTC; omitted: Stripe's default of 24 hours)."""
        params: dict[str, Any] = {
            "mode": "payment",
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(payment.pk),
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "cny",
                        "unit_amount": to_minor_units(payment.amount_cny),
                        "product_data": {"name": payment.description[:250]},
                    },
                }
            ],
            "payment_method_types": list(methods),
            "metadata": _metadata(payment),
            "payment_intent_data": {"metadata": _metadata(payment)},
        }
        if expires_at is not None:
            params["expires_at"] = int(expires_at.timestamp())
        if "wechat_pay" in methods:
            params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
        email = getattr(payment.payer, "email", "") if payment.payer_id else ""
        if email:
            params["customer_email"] = email
        return params

    def _withdraw(self, client: stripe.StripeClient, session_id: str) -> None:
        """Expire an earlier open session so it cannot be paid as well. Raises `ConflictError`
        when it has already been paid (its webhook has not arrived yet)."""
        try:
            client.v1.checkout.sessions.expire(session_id)
        except stripe.InvalidRequestError:
            try:
                old = client.v1.checkout.sessions.retrieve(session_id)
            except stripe.StripeError:
                return
            if old.status == "complete":
                raise ConflictError(
                    _("This payment has already been made; its confirmation is on its way.")
                ) from None
        except stripe.StripeError as exc:
            raise PaymentProviderError(_("The payment service is unavailable.")) from exc

    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """A Checkout Session; it always expires, at `checkout_expiry(request.expires_at)` (so
        at most 24 hours after now), and the session reports that time."""
        client = self._client()
        payment = request.payment
        if payment.provider_ref.startswith("cs_") and payment.status == "pending":
            self._withdraw(client, payment.provider_ref)
        chosen = self.payment_methods(request.methods)
        expiry = checkout_expiry(request.expires_at)
        while True:
            params = self.checkout_params(
                payment=payment,
                success_url=request.success_url,
                cancel_url=request.cancel_url,
                methods=chosen,
                expires_at=expiry,
            )
            try:
                session = client.v1.checkout.sessions.create(params=params)  # type: ignore[arg-type]
                break
            except stripe.InvalidRequestError as exc:
                if chosen != list(FALLBACK_PAYMENT_METHODS) and "payment_method" in (
                    (exc.param or "") + str(exc.user_message or "")
                ):
                    logger.warning(
                        "Stripe refused payment methods %s (%s); falling back to card",
                        chosen,
                        exc.user_message,
                    )
                    chosen = list(FALLBACK_PAYMENT_METHODS)
                    continue
                raise PaymentProviderError(_("The payment service refused the request.")) from exc
            except stripe.StripeError as exc:
                raise PaymentProviderError(_("The payment service is unavailable.")) from exc
        # stripe-mock answers with a fixture, so the time we asked for (which Stripe keeps) is
        # reported rather than the response's.
        return CheckoutSession(url=session.url or "", provider_ref=session.id, expires_at=expiry)

    def refund(self, *, payment: Payment, amount_cny: Decimal | None = None) -> Refund:
        amount = payment.amount_cny - payment.refunded_cny if amount_cny is None else amount_cny
        fen = to_minor_units(amount)
        client = self._client()
        try:
            refund = client.v1.refunds.create(
                params={
                    "payment_intent": payment.provider_payment_ref,
                    "amount": fen,
                    "metadata": _metadata(payment),
                },
                # The same refund asked twice from the same state is made once.
                options={
                    "idempotency_key": (
                        f"keqiao-refund-{payment.pk}-{to_minor_units(payment.refunded_cny)}-{fen}"
                    )
                },
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(_("The payment service refused the refund.")) from exc
        status = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}.get(
            refund.status or "", "pending"
        )
        return Refund(
            provider_ref=refund.id, amount_cny=from_minor_units(refund.amount), status=status
        )

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> ProviderEvent:
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            logger.error("STRIPE_WEBHOOK_SECRET is not set; refusing Stripe webhooks")
            raise InvalidSignature("no webhook signing secret configured")
        if not signature_header:
            raise InvalidSignature("missing Stripe-Signature header")
        try:
            stripe.Webhook.construct_event(
                payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
            return interpret_event(json.loads(payload))
        except (
            stripe.SignatureVerificationError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:
            raise InvalidSignature(str(exc)) from exc


def _payment_id(obj: dict[str, Any]) -> int | None:
    metadata = obj.get("metadata")
    candidates = [metadata.get(METADATA_PAYMENT_ID) if isinstance(metadata, dict) else None]
    if obj.get("object") == "checkout.session":
        candidates.append(obj.get("client_reference_id"))
    for raw in candidates:
        if raw and (payment_id := id_from_text(str(raw))) is not None:
            return payment_id
    return None


def interpret_event(data: dict[str, Any]) -> ProviderEvent:
    """Translate a decoded Stripe event into a `ProviderEvent`.

    checkout.session.completed / async_payment_succeeded with payment_status paid → PAID
    (unpaid → AWAITING, a delayed method); async_payment_failed / expired → FAILED;
    charge.refunded → REFUNDED with the charge's cumulative ``amount_refunded``; others IGNORED.
    Source: https://docs.stripe.com/checkout/fulfillment and the Event types reference.

    PaymentIntent events are deliberately not failures: ``payment_intent.payment_failed`` is one
    declined attempt inside a Checkout Session that stays open (the payer may try another card
    or method), and ``payment_intent.canceled`` names no Checkout Session, so it cannot tell
    the payment's current session from one we withdrew when the payer restarted checkout. The
    session's own ``checkout.session.expired`` / ``async_payment_failed`` events end a payment.
    """
    event_id, event_type = str(data["id"]), str(data["type"])
    obj: dict[str, Any] = dict(data["data"]["object"])
    common: dict[str, Any] = {
        "id": event_id,
        "type": event_type,
        "payload": data,
        "payment_id": _payment_id(obj),
        "payment_ref": str(obj.get("payment_intent") or ""),
    }
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        paid = obj.get("payment_status") in ("paid", "no_payment_required")
        return ProviderEvent(
            kind=EventKind.PAID if paid else EventKind.AWAITING,
            checkout_ref=str(obj.get("id") or ""),
            amount_cny=(
                from_minor_units(obj["amount_total"])
                if obj.get("amount_total") is not None
                else None
            ),
            currency=str(obj.get("currency") or ""),
            **common,
        )
    if event_type in ("checkout.session.async_payment_failed", "checkout.session.expired"):
        return ProviderEvent(
            kind=EventKind.FAILED,
            checkout_ref=str(obj.get("id") or ""),
            failure_reason="expired" if event_type.endswith("expired") else "payment failed",
            **common,
        )
    if event_type == "charge.refunded":
        return ProviderEvent(
            kind=EventKind.REFUNDED,
            refunded_total_cny=from_minor_units(int(obj.get("amount_refunded") or 0)),
            currency=str(obj.get("currency") or ""),
            **common,
        )
    return ProviderEvent(kind=EventKind.IGNORED, id=event_id, type=event_type, payload=data)
