"""API bodies of organisations joining: join requests, claims, evidence, rejections."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.models import JoinRequest, OrganizationClaim, OrganizationEvidence
from marketplace.serializers import OrganizationBriefSerializer, RejectUnknownFieldsMixin
from marketplace.services.joining import MESSAGE_MAX_CHARS
from marketplace.services.organizations import REASON_MAX_CHARS


class JoinRequestInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=MESSAGE_MAX_CHARS,
        help_text=_("Who you are in the organisation (optional)."),
    )


class JoinRequestOutputSerializer(serializers.ModelSerializer[JoinRequest]):
    user = serializers.CharField(source="user.get_username", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = JoinRequest
        fields = [
            "id", "user", "organization", "message", "status", "status_label", "reason",
            "created_at", "decided_at",
        ]
        read_only_fields = fields


class ReasonInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """A decision's reason: required to reject an organisation (the service says so, per
    field), optional to decline a join request."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_CHARS)


class EvidenceInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text=_("Business licence: PDF, PNG or JPEG (checked by content).")
    )


class EvidenceOutputSerializer(serializers.ModelSerializer[OrganizationEvidence]):
    url = serializers.SerializerMethodField(help_text=_("Where members and brokers fetch it."))

    class Meta:
        model = OrganizationEvidence
        fields = ["id", "original_name", "content_type", "size", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, instance: OrganizationEvidence) -> str:
        return reverse("organization-evidence-download", args=[instance.pk])


class ClaimInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text=_(
            "Business licence or a letter authorising you to act for the organisation: PDF, "
            "PNG or JPEG (checked by content)."
        )
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=MESSAGE_MAX_CHARS,
        help_text=_("Who you are in the organisation (optional)."),
    )


class ClaimOutputSerializer(serializers.ModelSerializer[OrganizationClaim]):
    claimant = serializers.CharField(source="claimant.get_username", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    evidence_url = serializers.SerializerMethodField(
        help_text=_("Where the claimant and brokers fetch the evidence.")
    )

    class Meta:
        model = OrganizationClaim
        fields = [
            "id", "claimant", "organization", "message", "original_name", "content_type",
            "size", "evidence_url", "status", "status_label", "reason", "created_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_evidence_url(self, instance: OrganizationClaim) -> str:
        return reverse("organization-claim-evidence", args=[instance.pk])
