"""Roadshow API serializers (events, agenda, live state, questions, intents): input validation
and output shapes only (rules live in `projects.roadshows.services` and its siblings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kernel.ids import id_from_text
from marketplace.choices import Field, ListingStatus, ListingType
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from marketplace.serializers import IdField, IdRelatedField, RejectUnknownFieldsMixin
from projects.choices import RoadshowStatus
from projects.models import (
    Intent,
    Question,
    Roadshow,
    RoadshowSlot,
    validate_stream_url,
)
from projects.registrations.selectors import seats_taken
from projects.roadshows.live.selectors import slot_card


def _stream_url(value: str) -> None:
    try:
        validate_stream_url(value.strip())
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class RoadshowInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """POST/PATCH body of a roadshow. Times ISO 8601 with a zone; price Decimal CNY. `draft`
    (POST only, default false: clients written before drafts existed still create published
    roadshows): create a draft, published later by ``POST roadshows/{id}/publish/``."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    host = IdRelatedField(queryset=Organization.objects.all())
    venue = serializers.CharField(required=False, allow_blank=True, max_length=300)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    ticket_price_cny = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0"), required=False
    )
    stream_embed_url = serializers.CharField(
        required=False, allow_blank=True, max_length=500, validators=[_stream_url]
    )
    draft = serializers.BooleanField(required=False)


class RoadshowHostSerializer(serializers.ModelSerializer[Organization]):
    """The organisation hosting a roadshow."""

    class Meta:
        model = Organization
        fields = ["id", "legal_name", "name_en", "kind"]
        read_only_fields = fields


class RoadshowOutputSerializer(serializers.ModelSerializer[Roadshow]):
    host = RoadshowHostSerializer(read_only=True)
    is_free = serializers.BooleanField(read_only=True)
    slot_count = serializers.SerializerMethodField()
    seats_taken = serializers.SerializerMethodField()

    class Meta:
        model = Roadshow
        fields = [
            "id",
            "title",
            "description",
            "host",
            "venue",
            "starts_at",
            "ends_at",
            "capacity",
            "seats_taken",
            "ticket_price_cny",
            "is_free",
            "stream_embed_url",
            "status",
            "current_slot",
            "live_version",
            "slot_count",
            "is_demo",
        ]
        read_only_fields = fields

    def get_slot_count(self, obj: Roadshow) -> int:
        count = getattr(obj, "slot_count", None)
        return int(count) if count is not None else obj.slots.count()

    def get_seats_taken(self, obj: Roadshow) -> int:
        count = getattr(obj, "seats_taken_count", None)
        return int(count) if count is not None else seats_taken(roadshow=obj)


class SlotInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """POST body of an agenda slot: exactly one published listing; presenter defaults to its
    owner; minutes 1–480."""

    research_result = IdRelatedField(
        queryset=ResearchResult.objects.filter(status=ListingStatus.PUBLISHED),
        required=False,
        allow_null=True,
    )
    technology_need = IdRelatedField(
        queryset=TechnologyNeed.objects.filter(status=ListingStatus.PUBLISHED),
        required=False,
        allow_null=True,
    )
    presenter = IdRelatedField(queryset=Organization.objects.all(), required=False)
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    minutes = serializers.IntegerField(min_value=1, max_value=480, required=False)


class SlotUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    presenter = IdRelatedField(queryset=Organization.objects.all(), required=False)
    planned_start = serializers.DateTimeField(required=False, allow_null=True)
    minutes = serializers.IntegerField(min_value=1, max_value=480, required=False)


class SlotListingSerializer(serializers.Serializer[Any]):
    """The listing a slot presents, as `projects.roadshows.live.selectors.slot_card` shows it: no
    confidential details; `summary` at most 160 characters; `url` its web page ("" when the
    pages are not installed)."""

    type = serializers.ChoiceField(choices=ListingType.choices)
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_en = serializers.CharField(allow_blank=True)
    field = serializers.ChoiceField(choices=Field.choices, allow_blank=True)
    field_label = serializers.CharField(allow_blank=True)
    trl = serializers.IntegerField(allow_null=True)
    owner = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)


class SlotCardSerializer(serializers.Serializer[Any]):
    """A slot as the live state shows it (`projects.roadshows.live.selectors.slot_card`)."""

    id = serializers.IntegerField()
    order = serializers.IntegerField(min_value=0)
    title = serializers.CharField()
    presenter = serializers.CharField()  # the presenting organisation's legal name
    minutes = serializers.IntegerField(min_value=0)
    planned_start = serializers.DateTimeField(allow_null=True)
    listing = SlotListingSerializer()


class SlotOutputSerializer(SlotCardSerializer):
    """A slot: its live card (see `projects.roadshows.live.selectors.slot_card`) plus
    `questions_open`."""

    questions_open = serializers.BooleanField()

    def to_representation(self, instance: RoadshowSlot) -> dict[str, Any]:
        return {**slot_card(instance), "questions_open": instance.questions_open}


class ReorderInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    slot_ids = serializers.ListField(child=IdField(), allow_empty=False, max_length=1000)


class AdvanceInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """``{"to": "next" | "previous" | <slot id>}``."""

    to = serializers.JSONField()

    def validate_to(self, value: Any) -> str | int:
        if value in ("next", "previous"):
            return str(value)
        if isinstance(value, str):
            value = id_from_text(value)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**63:
            return value
        raise serializers.ValidationError(
            _('Give "next", "previous" or the id of a slot of this agenda.')
        )


class SlotChoiceSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """Optional ``{"slot": id}``; default the slot now presenting."""

    slot = IdField(required=False, allow_null=True)


class QuestionInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)
    slot = IdField(required=False, allow_null=True)


class HideInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    hidden = serializers.BooleanField(default=True)


class AnswerInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    answer = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class QuestionOutputSerializer(serializers.ModelSerializer[Question]):
    votes = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "slot", "text", "votes", "answered", "answer", "hidden", "created_at"]
        read_only_fields = fields

    def get_votes(self, obj: Question) -> int:
        count = getattr(obj, "vote_count", None)
        return int(count) if count is not None else obj.votes.count()


class IntentOutputSerializer(serializers.ModelSerializer[Intent]):
    class Meta:
        model = Intent
        fields = ["id", "roadshow", "slot", "created_at"]
        read_only_fields = fields


class IntentRecordOutputSerializer(serializers.Serializer[Any]):
    """The answer to recording an intent: the intent, whether it is new, and the pre-filled
    match request it offers (shape in
    `projects.roadshows.live.services.intent_match_request_draft`)."""

    intent = IntentOutputSerializer()
    created = serializers.BooleanField()
    match_request = serializers.DictField()


class LiveQuestionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    slot = serializers.IntegerField()
    text = serializers.CharField()
    votes = serializers.IntegerField(min_value=0)
    answered = serializers.BooleanField()
    answer = serializers.CharField(allow_blank=True)


class LiveStateSerializer(serializers.Serializer[Any]):
    """The live state of a roadshow (`projects.roadshows.live.selectors.roadshow_live_state`):
    `version` grows with every change; `questions` are the current slot's visible questions, most
    votes first (at most 50); `next_slot` is the slot after the current one (the first slot
    before the event goes live)."""

    status = serializers.ChoiceField(choices=RoadshowStatus.choices)
    version = serializers.IntegerField(min_value=0)
    current_slot = SlotCardSerializer(allow_null=True)
    questions_open = serializers.BooleanField()
    questions = LiveQuestionSerializer(many=True)
    next_slot = SlotCardSerializer(allow_null=True)


class QuestionVoteOutputSerializer(serializers.Serializer[Any]):
    """The answer to an upvote: the question's id, its vote count, and ``voted`` (always
    true: the viewer has voted)."""

    id = serializers.IntegerField()
    votes = serializers.IntegerField(min_value=1)
    voted = serializers.BooleanField()


class AgendaImportReportSerializer(serializers.Serializer[Any]):
    """The answer to an agenda import: `rows` read, `created` slots, and those slots."""

    rows = serializers.IntegerField(min_value=0)
    created = serializers.IntegerField(min_value=0)
    slots = SlotOutputSerializer(many=True)


class AgendaImportInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    file = serializers.FileField()
