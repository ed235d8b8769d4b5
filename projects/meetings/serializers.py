"""Serializers of the 1:1 meeting API: they validate input and shape output only; the rules
live in `projects.meetings.services`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.models import Organization
from marketplace.serializers import IdField, IdRelatedField, RejectUnknownFieldsMixin
from matching.mediation.common import NOTE_MAX_LENGTH
from projects.meetings.scheduling import reason_message
from projects.models import Meeting, MeetingBlock, MeetingRequest, Unavailability


class MeetingRequestCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    slot = IdField(help_text=_("Id of the agenda slot whose presenter to meet."))
    reason = serializers.CharField(max_length=2000, allow_blank=False, trim_whitespace=True)
    organization = IdRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True,
        help_text=_("The organisation you act for (default: that of your registration)."),
    )


class MeetingRequestDeclineSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, allow_blank=False, trim_whitespace=True
    )


class MeetingOutSerializer(serializers.ModelSerializer[Meeting]):
    class Meta:
        model = Meeting
        fields = ["id", "room", "starts_at", "ends_at"]


class MeetingRequestSerializer(serializers.ModelSerializer[MeetingRequest]):
    project = serializers.SerializerMethodField()
    requester_organization = serializers.CharField(
        source="requester_organization.legal_name", default=None
    )
    presenter_organization = serializers.CharField(source="presenter_organization.legal_name")
    unplaced_message = serializers.SerializerMethodField()
    meeting = serializers.SerializerMethodField()
    handled_by_transfer_centre = serializers.BooleanField(
        read_only=True,
        help_text=_("The transfer centre (由技术转移中心对接) carries the request: the presenting "
                    "organisation has no members, or it was unanswered too long."),
    )

    class Meta:
        model = MeetingRequest
        fields = [
            "id", "slot", "project", "requester", "requester_organization",
            "presenter_organization", "reason", "status", "decline_reason", "unplaced_reason",
            "unplaced_message", "meeting", "created_at", "decided_at",
            "handled_by_transfer_centre", "mediation_reason", "escalated_at",
        ]

    def get_project(self, obj: MeetingRequest) -> str:
        return obj.slot.listing.title

    def get_unplaced_message(self, obj: MeetingRequest) -> str:
        return reason_message(obj.unplaced_reason) if obj.unplaced_reason else ""

    def to_representation(self, instance: MeetingRequest) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        # A draft schedule (not yet published) is host staff's alone: participants see a
        # placed request as accepted, without its meeting (context ``draft_hidden``).
        if self.context.get("draft_hidden") and data["status"] == "scheduled":
            data["status"] = "accepted"
        return data

    def get_meeting(self, obj: MeetingRequest) -> dict[str, Any] | None:
        if self.context.get("draft_hidden"):
            return None
        meeting = getattr(obj, "meeting", None)
        return dict(MeetingOutSerializer(meeting).data) if meeting is not None else None


class MeetingBlockSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer[MeetingBlock]):
    rooms = serializers.ListField(child=serializers.CharField(max_length=80), min_length=1,
                                  max_length=200)
    slot_minutes = serializers.IntegerField(min_value=5, max_value=240, default=20)

    class Meta:
        model = MeetingBlock
        fields = ["id", "starts_at", "ends_at", "slot_minutes", "rooms"]
        read_only_fields = ["id"]


class UnavailabilitySerializer(
    RejectUnknownFieldsMixin, serializers.ModelSerializer[Unavailability]
):
    organization = IdRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Unavailability
        fields = ["id", "user", "organization", "starts_at", "ends_at", "note"]
        read_only_fields = ["id", "user"]


class ScheduleRunSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    reschedule = serializers.BooleanField(default=False, help_text=_(
        "Delete the scheduled meetings first and place every accepted request afresh."
    ))
