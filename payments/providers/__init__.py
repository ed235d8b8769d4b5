"""The payment providers: the interface (`base`), the providers (`dummy`, `stripe`), and the
choice of one by name from ``settings.PAYMENT_PROVIDERS`` (`get_provider`,
`default_provider_name`). Providers never write to the database: `payments.services` records
what they return."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from payments.providers.base import BasePaymentProvider, PaymentNotConfigured, UnknownProvider


def get_provider(name: str) -> BasePaymentProvider:
    """The provider configured as ``settings.PAYMENT_PROVIDERS[name]``
    (``{"BACKEND": "dotted.path.Class", "OPTIONS": {...}}``), freshly made.
    Raises `UnknownProvider` for a name that is not configured."""
    config = settings.PAYMENT_PROVIDERS.get(name)
    if not config:
        raise UnknownProvider(_("Unknown payment provider."))
    cls = import_string(config["BACKEND"])
    provider: BasePaymentProvider = cls(name=name, options=config.get("OPTIONS") or {})
    return provider


def default_provider_name(*, amount_cny: Decimal) -> str:
    """``"dummy"`` for a free item, ``"stripe"`` for anything that costs money.
    Raises `PaymentNotConfigured` when money is due and Stripe is not configured."""
    if amount_cny == 0:
        return "dummy"
    if "stripe" in settings.PAYMENT_PROVIDERS:
        return "stripe"
    raise PaymentNotConfigured(_("Online payment is not configured on this site."))


__all__ = ["default_provider_name", "get_provider"]
