"""Registration API serializers: input validation and output shapes only (rules live in
`projects.registrations.services`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from marketplace.serializers import RejectUnknownFieldsMixin
from projects.choices import AttendeeKind, RegistrationStatus
from projects.models import Registration


class RegistrationInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=AttendeeKind.choices, required=False)


class RegistrationOutputSerializer(serializers.ModelSerializer[Registration]):
    """A ticket. `checkout_url` only while awaiting payment; `username` for staff lists."""

    roadshow_title = serializers.CharField(source="roadshow.title", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    organization = serializers.CharField(
        source="organization.legal_name", read_only=True, default=None
    )
    amount_cny = serializers.SerializerMethodField()
    payment_status = serializers.SerializerMethodField()
    checkout_url = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "roadshow",
            "roadshow_title",
            "username",
            "organization",
            "kind",
            "status",
            "ticket_code",
            "amount_cny",
            "payment_status",
            "checkout_url",
            "hold_until",
            "checked_in_at",
            "confirmed_at",
            "cancelled_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_amount_cny(self, obj: Registration) -> str:
        return str(obj.payment.amount_cny) if obj.payment else "0.00"

    def get_payment_status(self, obj: Registration) -> str | None:
        return obj.payment.status if obj.payment else None

    def get_checkout_url(self, obj: Registration) -> str | None:
        # Only while the seat is held: the checkout expires with the hold.
        if (
            obj.status == RegistrationStatus.PENDING_PAYMENT
            and obj.payment
            and obj.hold_until
            and obj.hold_until > timezone.now()
        ):
            return obj.payment.checkout_url or None
        return None
