"""Match-request serializers: validate input and shape output only (rules live in services).

Contact details of an organisation appear only where
`matching.match_requests.selectors.visible_contact_sides` allows it (accepted request; the
other party, or both for brokers); otherwise they are null.
Listings appear as id and title only, never their confidential details.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace import selectors as listing_selectors
from marketplace.models import (
    ORGANIZATION_CONTACT_FIELDS,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.roles import AnyUser
from marketplace.serializers import IdField, IdRelatedField
from matching.match_requests import selectors
from matching.match_requests.services import MESSAGE_MAX_LENGTH
from matching.mediation.common import NOTE_MAX_LENGTH
from matching.models import (
    DeclineReason,
    MatchRequest,
    MatchRequestDirection,
    MatchRequestMessage,
    MatchRequestStatus,
)

# --- input ---------------------------------------------------------------------------------


class MatchRequestFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the list: ?status=&direction=&role=sent|received
    &research_result=&technology_need= (ids 1..2**63-1; others are 400 per field)."""

    status = serializers.ChoiceField(choices=MatchRequestStatus.choices, required=False)
    direction = serializers.ChoiceField(choices=MatchRequestDirection.choices, required=False)
    role = serializers.ChoiceField(
        choices=[(selectors.ROLE_SENT, _("Sent")), (selectors.ROLE_RECEIVED, _("Received"))],
        required=False,
    )
    research_result = IdField(required=False)
    technology_need = IdField(required=False)


class MatchRequestCreateSerializer(serializers.Serializer[Any]):
    """POST body: which result, optionally which need, and a message to the other side.

    Ids are whole numbers 1..2**63-1: ``182.5`` or ``1e30`` are field errors, not truncated."""

    research_result = IdRelatedField(queryset=ResearchResult.objects.all())
    technology_need = IdRelatedField(
        queryset=TechnologyNeed.objects.all(), required=False, allow_null=True
    )
    message = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)

    def __init__(self, *args: Any, viewer: AnyUser | None = None, **kwargs: Any) -> None:
        """With `viewer`, a listing `viewer` may not see is an id that does not exist: another
        organisation's draft answered \"cannot be requested now\" where an unknown id answered
        \"does not exist\", which told that the draft existed."""
        super().__init__(*args, **kwargs)
        if viewer is not None:
            result, need = self.fields["research_result"], self.fields["technology_need"]
            assert isinstance(result, IdRelatedField) and isinstance(need, IdRelatedField)
            result.queryset = listing_selectors.research_result_list(viewer=viewer)
            need.queryset = listing_selectors.technology_need_list(viewer=viewer)


class MatchRequestDeclineSerializer(serializers.Serializer[Any]):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    text = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the reason is “other”."),
    )


class MatchRequestMessageCreateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)


# --- output --------------------------------------------------------------------------------


class ListingRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MatchRequestOrganizationSerializer(serializers.ModelSerializer[Organization]):
    """The requester or addressee of a match request (public details, address and website
    included; no contact details)."""

    class Meta:
        model = Organization
        fields = [
            "id", "legal_name", "name_en", "kind", "province", "city", "address", "website"
        ]


class ContactDetailsSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        # The contact rule's one list (address and website are public, above).
        fields = list(ORGANIZATION_CONTACT_FIELDS)


class MatchRequestMessageSerializer(serializers.ModelSerializer[MatchRequestMessage]):
    author = serializers.CharField(source="author.get_username", read_only=True)

    class Meta:
        model = MatchRequestMessage
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class MatchRequestSerializer(serializers.ModelSerializer[MatchRequest]):
    """A request as the viewer (context["viewer"]) may see it."""

    research_result = ListingRefSerializer(read_only=True)
    technology_need = ListingRefSerializer(read_only=True, allow_null=True)
    requester = MatchRequestOrganizationSerializer(read_only=True)
    addressee = MatchRequestOrganizationSerializer(read_only=True)
    requester_contacts = serializers.SerializerMethodField()
    addressee_contacts = serializers.SerializerMethodField()
    handled_by_transfer_centre = serializers.BooleanField(
        read_only=True,
        help_text=_("The transfer centre (由技术转移中心对接) carries the request: the addressed "
                    "organisation has no members, or it was unanswered too long."),
    )

    class Meta:
        model = MatchRequest
        fields = [
            "id",
            "direction",
            "status",
            "research_result",
            "technology_need",
            "requester",
            "addressee",
            "message",
            "decline_reason",
            "decline_text",
            "decided_at",
            "score",
            "created_at",
            "updated_at",
            "requester_contacts",
            "addressee_contacts",
            "handled_by_transfer_centre",
            "mediation_reason",
            "escalated_at",
        ]
        read_only_fields = fields

    def _contacts(self, match_request: MatchRequest, side: str) -> dict[str, Any] | None:
        sides = selectors.visible_contact_sides(self.context["viewer"], match_request)
        if side not in sides:
            return None
        return dict(ContactDetailsSerializer(getattr(match_request, side)).data)

    @extend_schema_field(ContactDetailsSerializer(allow_null=True))
    def get_requester_contacts(self, obj: MatchRequest) -> dict[str, Any] | None:
        return self._contacts(obj, selectors.REQUESTER)

    @extend_schema_field(ContactDetailsSerializer(allow_null=True))
    def get_addressee_contacts(self, obj: MatchRequest) -> dict[str, Any] | None:
        return self._contacts(obj, selectors.ADDRESSEE)


class MatchRequestDetailSerializer(MatchRequestSerializer):
    """A request with its thread."""

    messages = serializers.SerializerMethodField()

    class Meta(MatchRequestSerializer.Meta):
        fields = [*MatchRequestSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    @extend_schema_field(MatchRequestMessageSerializer(many=True))
    def get_messages(self, obj: MatchRequest) -> list[dict[str, Any]]:
        messages = selectors.match_request_messages(match_request=obj)
        return list(MatchRequestMessageSerializer(messages, many=True).data)
