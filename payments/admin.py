"""Django admin of payments: read-only. A payment and its status are changed by the provider
flow only (`payments.services`: checkout, the provider's webhook events, refunds), never by
hand, so that the money records match the provider's; webhook events are the record of what
the provider sent."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kernel.admin import URL_FIELDS_ASSUME_HTTPS, ReadOnlyAdmin, ReadOnlyInline, column
from payments.models import Payment, WebhookEvent


class WebhookEventInline(ReadOnlyInline[WebhookEvent, Payment]):
    model = WebhookEvent
    fields = readonly_fields = ("received_at", "type", "event_id", "processed_at", "result")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin[Payment]):
    list_display = [
        "reference", "description", "payer", "amount_cny", "refunded_cny", "status", "provider",
        column("created_at", _("created at")), column("paid_at", _("paid at")),
    ]
    list_filter = ["status", "provider", "purpose"]
    search_fields = ["reference", "description", "provider_ref", "provider_payment_ref",
                     "payer__username"]
    date_hierarchy = "created_at"
    inlines = [WebhookEventInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin[WebhookEvent]):
    list_display = [
        column("received_at", _("received at")), column("provider", _("payment provider")),
        column("type", _("event type")), column("payment", _("payment")),
        column("result", _("result")),
    ]
    list_filter = ["provider", "type"]
    list_select_related = ["payment"]
    search_fields = ["event_id", "payment__reference"]
