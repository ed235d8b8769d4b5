"""The payment-provider interface (the pretix pattern: providers by name, chosen by a setting).

Every provider implements `BasePaymentProvider`. Amounts cross this interface as `Decimal` CNY
with 2 places; `to_minor_units` / `from_minor_units` are the only conversion to and from the
integer minor units (fen, 1 CNY = 100 fen) that payment APIs use.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kernel.errors import DomainError, ServiceUnavailableError
from kernel.money import CENT

if TYPE_CHECKING:
    from payments.models import Payment

#: Minor units per CNY. CNY has two decimal places at Stripe (it is not a zero-decimal currency).
FEN_PER_CNY = 100


def to_minor_units(amount_cny: Decimal) -> int:
    """CNY → integer fen. `amount_cny` must be a non-negative `Decimal` with at most 2 places
    (e.g. ``Decimal("123.45")`` → ``12345``); anything else raises `ValueError`, because a
    silently rounded amount would charge the wrong price."""
    if not isinstance(amount_cny, Decimal) or not amount_cny.is_finite():
        raise ValueError(f"amount must be a finite Decimal, got {amount_cny!r}")
    if amount_cny < 0:
        raise ValueError(f"amount must not be negative, got {amount_cny}")
    fen = amount_cny * FEN_PER_CNY
    if fen != fen.to_integral_value():
        raise ValueError(f"amount has more than 2 decimal places: {amount_cny}")
    return int(fen)


def from_minor_units(fen: int) -> Decimal:
    """Integer fen → CNY with 2 places (``12345`` → ``Decimal("123.45")``)."""
    return (Decimal(int(fen)) / FEN_PER_CNY).quantize(CENT)


class InvalidSignature(Exception):
    """A webhook's signature is missing, wrong, or too old, or its payload is not an event."""


class PaymentProviderError(ServiceUnavailableError):
    """The provider could not be reached or refused a request (HTTP 503 at the API)."""

    default_code = "payment_provider_error"


class PaymentNotConfigured(ServiceUnavailableError):
    """No provider can collect this payment (e.g. Stripe keys are not set)."""

    default_code = "payment_not_configured"


class UnknownProvider(DomainError):
    default_code = "unknown_payment_provider"


@dataclass(frozen=True)
class CheckoutRequest:
    """What a checkout is asked to collect (`BasePaymentProvider.create_checkout`).

    `payment.amount_cny` from `payment.payer`; the payer returns to `success_url` or
    `cancel_url`. `methods` narrows the payment methods (``"card"``, ``"alipay"``,
    ``"wechat_pay"``); None means every method configured. `expires_at` (aware UTC, optional)
    asks that the session stop accepting payment then (e.g. when a held seat is released); a
    provider with limits on a session's lifetime moves it to the nearest allowed time and
    reports the time it used in `CheckoutSession.expires_at`.
    """

    payment: Payment
    success_url: str
    cancel_url: str
    methods: Sequence[str] | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class CheckoutSession:
    """Where to send the payer (`url`) and the provider's id for it (`provider_ref`).

    `paid` is True only for providers that settle at once (the dummy provider); for all others
    the payment is confirmed later by a verified webhook, never by the redirect back.
    `expires_at` (aware UTC) is when the provider stops accepting payment for this session —
    the `expires_at` asked for, or the nearest time the provider allows — or None when the
    session does not expire (or settled at once).
    """

    url: str
    provider_ref: str
    paid: bool = False
    provider_payment_ref: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Refund:
    """A refund the provider accepted: its id, the amount in CNY, and whether the money has
    already gone back (`succeeded`) or will be confirmed by a later webhook (`pending`)."""

    provider_ref: str
    amount_cny: Decimal
    status: str  # "succeeded" | "pending" | "failed"

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


class EventKind:
    """What a provider event means for a payment, in provider-neutral terms."""

    PAID = "paid"  # the money was received (amount_cny, currency, payment_ref)
    AWAITING = "awaiting"  # checkout finished, a delayed payment method has not settled yet
    FAILED = "failed"  # the checkout `checkout_ref` expired or its payment was declined
    REFUNDED = "refunded"  # refunded_total_cny has been returned in all, so far
    IGNORED = "ignored"  # nothing for us


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook event, translated by the provider: its unique `id`, the provider's
    `type` (e.g. ``"checkout.session.completed"``), what it means (`kind`, an `EventKind`), the
    payment it names (`payment_id`, our `Payment.pk` from the metadata we sent, or None), the
    provider's checkout and payment ids, amounts in Decimal CNY, and the whole decoded
    `payload` (stored for audit)."""

    id: str
    type: str
    kind: str
    payment_id: int | None = None
    checkout_ref: str = ""
    payment_ref: str = ""
    amount_cny: Decimal | None = None
    currency: str = ""
    refunded_total_cny: Decimal | None = None
    failure_reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


class BasePaymentProvider(ABC):
    """A way of collecting money. Instances are cheap and made per use by
    `payments.providers.get_provider(name)` from ``settings.PAYMENT_PROVIDERS[name]``
    (``{"BACKEND": dotted path, "OPTIONS": {...}}``); they read settings when called.

    Providers talk to the outside world only; they never write to the database. The services in
    `payments.services` record what they return and emit the signals.
    """

    #: True when `create_checkout` returns an already paid session (no webhook follows).
    settles_immediately: bool = False
    #: The HTTP request header that carries the webhook signature (e.g. "Stripe-Signature").
    signature_header_name: str = ""

    def __init__(self, *, name: str, options: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.options: Mapping[str, Any] = options or {}

    @abstractmethod
    def create_checkout(self, request: CheckoutRequest) -> CheckoutSession:
        """Start collecting `request.payment` (see `CheckoutRequest`).

        Called by `payment_start_checkout` for a payment in status created, pending or failed
        (a pending payment's earlier checkout, `payment.provider_ref`, may be withdrawn here so
        that it cannot be paid as well). Returns the URL to redirect the payer to. Raises
        `PaymentProviderError` when the provider is unreachable or refuses the request,
        `ValueError` for an amount that is not whole fen.
        """

    @abstractmethod
    def refund(self, *, payment: Payment, amount_cny: Decimal | None = None) -> Refund:
        """Return `amount_cny` (default: everything not yet refunded) of a captured payment.

        Called by `payment_refund` for a payment whose money was received
        (`payment.provider_payment_ref` known). Returns the provider's refund; a `pending`
        refund is confirmed by a later webhook. Raises `PaymentProviderError`.
        """

    @abstractmethod
    def parse_webhook(self, *, payload: bytes, signature_header: str) -> ProviderEvent:
        """Verify and decode a webhook request body exactly as received (`payload`, raw bytes)
        with its signature header. Raises `InvalidSignature` for a missing, wrong or expired
        signature or a body that is not an event. Does not act on the event."""
