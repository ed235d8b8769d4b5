"""Serializers of the search API: query-parameter validation and the response shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from kernel.api.schema import ERROR_REF
from kernel.invisible_text import without_invisible
from marketplace.choices import Field, ListingType, Stage, TransferMode
from marketplace.regions import province_short_name
from matching.search.fallback import MatchMode, word_groups
from matching.search.forms import NO_SEARCH_WORDS, REVERSED_TRL, reversed_trl

if TYPE_CHECKING:
    from collections.abc import Mapping

KIND_CHOICES = ListingType.choices


class CommaSeparatedListField(serializers.ListField):
    """A list given as repeated parameters (?field=a&field=b) or comma-separated (?field=a,b)."""

    def get_value(self, dictionary: Mapping[Any, Any]) -> Any:
        value = super().get_value(dictionary)
        if value is empty or not isinstance(value, list):
            return value
        return [part.strip() for item in value for part in str(item).split(",") if part.strip()]


class SearchParamsSerializer(serializers.Serializer[Any]):
    """Filter parameters of GET /api/v1/search/ (`page` and `page_size` are read by the
    pagination, as for every list). Lists accept repeats or commas."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text=_("Words to search for (Chinese or English)."),
    )
    type = serializers.ChoiceField(
        choices=KIND_CHOICES, required=False, help_text=_("result or need; both when absent.")
    )
    field = CommaSeparatedListField(
        child=serializers.ChoiceField(choices=Field.choices), required=False, default=list
    )
    province = CommaSeparatedListField(
        child=serializers.CharField(max_length=20), required=False, default=list
    )

    def validate_province(self, value: list[str]) -> list[str]:
        """The short names the listings store ("北京市" → "北京"), as the search page reads
        them."""
        return list(dict.fromkeys(province_short_name(name) for name in value))
    city = CommaSeparatedListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    stage = CommaSeparatedListField(
        child=serializers.ChoiceField(choices=Stage.choices), required=False, default=list
    )
    mode = CommaSeparatedListField(
        child=serializers.ChoiceField(choices=TransferMode.choices),
        required=False,
        default=list,
        help_text=_("Transfer or cooperation modes (any of)."),
    )
    trl_min = serializers.IntegerField(required=False, min_value=1, max_value=9)
    trl_max = serializers.IntegerField(required=False, min_value=1, max_value=9)
    price_min = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0, help_text=_("CNY")
    )
    price_max = serializers.DecimalField(
        required=False, max_digits=14, decimal_places=2, min_value=0, help_text=_("CNY")
    )

    def validate_q(self, value: str) -> str:
        # As the page: invisible and bidi control characters are no part of a search.
        text = without_invisible(value).strip()
        if text and word_groups(text) == 0:
            raise serializers.ValidationError(NO_SEARCH_WORDS % {"text": text})
        return text

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[Any]] = {}
        if reversed_trl(attrs.get("trl_min"), attrs.get("trl_max")):
            errors["trl_max"] = [REVERSED_TRL]
        price_min, price_max = attrs.get("price_min"), attrs.get("price_max")
        if price_min is not None and price_max is not None and price_min > price_max:
            errors["price_max"] = [_("The maximum price must not be below the minimum price.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SearchListingSerializer(serializers.Serializer[Any]):
    """The short listing card of a hit."""

    title = serializers.CharField()
    title_en = serializers.CharField()
    field = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    trl = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField()
    url = serializers.CharField()


class SearchHitSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=KIND_CHOICES)
    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField(
        help_text=_(
            "Raw relevance (BM25); 0 without search words; the cosine similarity (-1 to 1) "
            "when match_mode is meaning."
        )
    )
    highlights = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Field name → HTML snippets with <mark> around matched words."),
    )
    listing = SearchListingSerializer()


class SearchResponseSerializer(serializers.Serializer[Any]):
    """A page of hits in the shape of every list (`kernel.api.pagination`) plus facets."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text=_(
            "kind, field, province, city, stage, modes, trl → {value: count} over all "
            "matching listings."
        ),
    )
    match_mode = serializers.ChoiceField(
        choices=[(mode.value, mode.value) for mode in MatchMode],
        help_text=_(
            "How the hits were found: all_words (the query as typed), some_words (no listing "
            "had all the words; any one of them is enough) or meaning (no listing had any: "
            "the nearest in meaning, without facets)."
        ),
    )


#: The API's one error shape (kernel.api.errors), as a reference to its OpenAPI component.
ERROR_SCHEMA: dict[str, object] = dict(ERROR_REF)
