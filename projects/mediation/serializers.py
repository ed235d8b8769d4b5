"""Serializers of the mediation queue's API: input checks and the shape of an item; the rules
live in the services. Brokers see the addressed organisation's contact details (they may see
every organisation's: `marketplace.selectors.can_see_contacts`), which they need to reach it
off the platform."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.models import Organization
from marketplace.serializers import RejectUnknownFieldsMixin
from matching.mediation.common import NOTE_MAX_LENGTH
from matching.mediation.models import MediationAction, MediationOutcome, MediationReason
from matching.models import DeclineReason
from projects.mediation.selectors import KINDS, STATUSES


class MediatedRequestFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the queue: ?status=open|accepted|declined|withdrawn
    &kind=match_request|meeting_request."""

    status = serializers.ChoiceField(choices=STATUSES, required=False)
    kind = serializers.ChoiceField(choices=KINDS, required=False)


def _note(*, required: bool = False, help_text: Any = "") -> serializers.CharField:
    return serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=required, allow_blank=not required,
        default=serializers.empty if required else "", help_text=help_text,
    )


class OutcomeInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=MediationOutcome.choices)
    note = _note(help_text=_("What was said, with whom, when."))


class NoteInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    note = _note(help_text=_("Kept with the request for the brokers."))


class AcceptInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    note = _note(required=True, help_text=_("The broker's message the requester reads."))


class DeclineInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    note = _note(required=True, help_text=_("The explanation the requester reads."))
    reason = serializers.ChoiceField(
        choices=DeclineReason.choices, required=False,
        help_text=_("Match requests only (default: other)."),
    )


class MediationEventSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=MediationAction.choices)
    outcome = serializers.CharField(help_text=_("A contact outcome, or empty."))
    note = serializers.CharField()
    emailed_to = serializers.CharField(help_text=_("Where a claim invitation was e-mailed."))
    actor = serializers.CharField(source="actor.get_username", default=None, allow_null=True)
    created_at = serializers.DateTimeField()


class MediatedOrganizationSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "legal_name", "contact_email", "contact_phone", "address", "website"]


class MediatedRequestSerializer(serializers.Serializer[Any]):
    """One item of the queue (`projects.mediation.selectors.MediatedItem`)."""

    id = serializers.CharField(help_text=_("The item's id: <kind>-<request id>."))
    kind = serializers.ChoiceField(choices=KINDS)
    request_id = serializers.IntegerField(source="request.pk")
    status = serializers.ChoiceField(choices=STATUSES)
    request_status = serializers.CharField(
        source="request.status", help_text=_("The status in the request's own terms.")
    )
    mediation_reason = serializers.ChoiceField(
        source="request.mediation_reason", choices=MediationReason.choices
    )
    mediated_at = serializers.DateTimeField(source="request.mediated_at")
    escalated_at = serializers.DateTimeField(source="request.escalated_at", allow_null=True)
    created_at = serializers.DateTimeField()
    requester = serializers.CharField()
    organization = MediatedOrganizationSerializer()
    subject = serializers.CharField()
    context_title = serializers.CharField(
        source="context", help_text=_("The technology need named, or the meeting's roadshow.")
    )
    message = serializers.CharField()
    events = MediationEventSerializer(many=True)
