"""The optional platform fee on signed agreements: a percentage of the
contract value, ``settings.PLATFORM_FEE_PERCENT`` (Decimal; 0 disables it), collected through
the payment-provider interface from the party the contracts app names as payer."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext

from kernel.money import CENT
from payments.models import Payment
from payments.services import payment_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PLATFORM_FEE_PURPOSE = "platform_fee"


def fee_percent() -> Decimal:
    """``settings.PLATFORM_FEE_PERCENT`` as a Decimal in [0, 100]; raises
    `ImproperlyConfigured` outside that range."""
    percent = Decimal(str(settings.PLATFORM_FEE_PERCENT))
    if not percent.is_finite() or not Decimal("0") <= percent <= Decimal("100"):
        raise ImproperlyConfigured("PLATFORM_FEE_PERCENT must be between 0 and 100.")
    return percent


def platform_fee_cny(contract_value_cny: Decimal) -> Decimal:
    """The fee in CNY for a contract worth `contract_value_cny` (Decimal CNY, ≥ 0):
    value × percent / 100, rounded half-up to the fen (e.g. 1.5 % of 333.33 → 5.00).
    Raises `ValueError` for a negative or non-finite value."""
    if not contract_value_cny.is_finite() or contract_value_cny < 0:
        raise ValueError(f"contract value must be a non-negative amount, got {contract_value_cny}")
    fee = contract_value_cny * fee_percent() / Decimal("100")
    return fee.quantize(CENT, rounding=ROUND_HALF_UP)


def platform_fee_payment_create(
    *, reference: str, contract_value_cny: Decimal, payer: User | None
) -> Payment | None:
    """A payment (status created, provider Stripe) of the platform fee for the agreement
    `reference` (e.g. ``"agreement:12"``), or None when the fee is disabled or rounds to 0.
    Start its checkout with `payment_start_checkout`. Raises `PaymentNotConfigured` when a fee
    is due and Stripe is not configured, `ValueError` for a bad contract value. Call it inside
    the signing transaction, so the fee exists exactly when the signature does."""
    fee = platform_fee_cny(contract_value_cny)
    if fee == 0:
        return None
    return payment_create(
        purpose=PLATFORM_FEE_PURPOSE,
        reference=reference,
        amount_cny=fee,
        description=gettext("Keqiao platform fee for %(reference)s") % {"reference": reference},
        payer=payer,
    )
