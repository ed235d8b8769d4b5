"""Shapes of the saved-search and alert-settings API (validation of values is the services')."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matching.alerts.models import EmailMode, SavedSearch

from .queries import search_url
from .services import NAME_MAX


class SavedSearchSerializer(serializers.ModelSerializer[SavedSearch]):
    query = serializers.DictField(
        help_text="The search page's parameters: q, kind (result|need), province, trl_min, "
        "trl_max, and lists field, stage, modes (the values of GET /api/v1/search/)."
    )
    search_url = serializers.SerializerMethodField()

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "search_url", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_search_url(self, obj: SavedSearch) -> str:
        return search_url(obj.query)


class SavedSearchWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=NAME_MAX)
    query = serializers.DictField(required=False, default=dict)


class FollowSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=["result", "need"])
    id = serializers.IntegerField(min_value=1)
    follow = serializers.BooleanField()


class FollowedListingSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.IntegerField(source="listing.pk")
    title = serializers.CharField(source="listing.title")
    status = serializers.CharField(source="listing.status")
    follow = serializers.BooleanField()


class AlertSettingsSerializer(serializers.Serializer[Any]):
    email_mode = serializers.ChoiceField(choices=EmailMode.choices)
    listings = FollowedListingSerializer(many=True, read_only=True)


class AlertSettingsUpdateSerializer(serializers.Serializer[Any]):
    email_mode = serializers.ChoiceField(choices=EmailMode.choices, required=False)
    follow = FollowSerializer(many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(_("Give email_mode, follow or both."))
        return attrs
