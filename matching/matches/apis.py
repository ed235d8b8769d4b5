"""Explained matches API (thin views over `matching.matcher`).

GET /api/v1/needs/{id}/matches/             research results that fit a technology need
GET /api/v1/research-results/{id}/matches/  technology needs a research result may solve

Paginated like every list (`kernel.api.pagination`: `page`, `page_size`; a page past the
end answers 404) over the ranked matches (at most MATCHING_CANDIDATES). The listing itself
must be visible to the viewer (`marketplace.selectors`), otherwise 404; candidates are
searchable listings of other organisations, visible to everyone.

Response: {"count", "next", "previous", "results": [{"type": "result"|"need", "id", "title",
"owner", "url", "score", "strength", "components": [{"name", "label", "score", "weight",
"known", "reason", "reason_zh", "reason_en"}], "reason"}]}; `url` is the path of the matching
listing's web page, as in the search API. Scores and weights are 0–1 (weights sum
to 1). A match's `score` is the fused relevance that orders the list (`Match.relevance`: the
reciprocal rank fusion of the ranking by the components' weighted mean and the ranking by
meaning; the weighted mean itself when semantic matching is off), so it is not the weighted
mean of its components, which is what `strength` is calibrated on. `strength` is "strong",
"possible" or "weak" (`matching.scoring.strength`, thresholds in settings.MATCHING_STRENGTH).
`reason` is in the request's active language (zh-Hans or en); each component also carries
both languages.

The list is in the matcher's order (not grouped by strength, unlike the pages).
`?strength=strong` or `?strength=strong,possible` (commas or repeated parameters) keeps only
matches of those strengths, still in the matcher's order, and `count` counts them; an unknown
strength answers 400 with a message under `fields.strength`. A search outage answers 503; every
error is in the one error shape (`kernel.api.errors`).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.api.pagination import PageNumberPagination
from kernel.api.schema import ERROR_REF
from kernel.errors import ServiceUnavailableError
from marketplace import selectors
from marketplace.choices import ListingType
from matching.matcher import (
    COMPONENT_LABELS,
    Match,
    candidate_limit,
    matches_for_need,
    matches_for_result,
    with_owners,
)
from matching.matches.grouping import STRENGTH_CHOICES
from matching.scoring import Component
from matching.search.backends.base import SearchUnavailable
from matching.search.documents import listing_url
from matching.search.serializers import CommaSeparatedListField

TAG = ["matches"]


class MatchComponentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    # A field named "label": SerializerMetaclass takes declared fields out of the class
    # attributes, so it does not replace Field.label at run time, only in the stubs' view.
    label = serializers.CharField()  # type: ignore[assignment]
    score = serializers.FloatField()
    weight = serializers.FloatField()
    known = serializers.BooleanField()
    reason = serializers.CharField()
    reason_zh = serializers.CharField()
    reason_en = serializers.CharField()


class MatchSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=ListingType.choices)
    id = serializers.IntegerField()
    title = serializers.CharField()
    owner = serializers.CharField()
    url = serializers.CharField(help_text=_("The path of the listing's web page."))
    score = serializers.FloatField(
        help_text=_(
            "The fused relevance that orders the list (0–1; 1 is first both by the weighted "
            "components and by meaning); not the components' weighted mean, which pages show "
            "as a percentage and strength is calibrated on."
        )
    )
    strength = serializers.ChoiceField(
        choices=STRENGTH_CHOICES,
        help_text=_("How strong the evidence for the match is: strong, possible or weak."),
    )
    components = MatchComponentSerializer(many=True)
    reason = serializers.CharField()


class MatchFilterSerializer(serializers.Serializer[Any]):
    """Query parameters of the match lists (`page` and `page_size` are the pagination's)."""

    strength = CommaSeparatedListField(
        child=serializers.ChoiceField(
            choices=STRENGTH_CHOICES,
            error_messages={
                "invalid_choice": _("“{input}” is not a strength: use strong, possible or weak.")
            },
        ),
        required=False,
        default=list,
        help_text=_(
            "Only matches of these strengths (strong, possible, weak), comma-separated or "
            "repeated; all when absent."
        ),
    )


def _language() -> str:
    return get_language() or "zh-hans"


def _component(component: Component, language: str) -> dict[str, Any]:
    return {
        "name": component.name,
        "label": str(COMPONENT_LABELS.get(component.name, component.name)),
        "score": float(component.score),
        "weight": float(component.weight),
        "known": bool(component.known),
        "reason": component.reason(language),
        "reason_zh": component.reason_zh,
        "reason_en": component.reason_en,
    }


def _match(match: Match, language: str) -> dict[str, Any]:
    listing = match.listing
    return {
        "type": match.kind,
        "id": match.object_id,
        "title": listing.title,
        "owner": listing.owner.legal_name,
        "url": listing_url(match.kind, match.object_id),
        "score": float(match.score),
        "strength": match.strength,
        "components": [_component(c, language) for c in match.scored.components],
        "reason": match.scored.reason(language),
    }


class _MatchListApi(GenericAPIView[Any]):
    permission_classes = [AllowAny]
    # Each call runs the matcher (search plus scoring): the most expensive anonymous read.
    throttle_scope = "matches"  # kernel.api.throttling
    throttle_methods = ("GET",)
    pagination_class = PageNumberPagination
    serializer_class = MatchSerializer
    filter_backends: list[type] = []

    def ranked(self, request: Request, pk: int) -> list[Match]:
        raise NotImplementedError

    def get(self, request: Request, pk: int) -> Response:
        filters = MatchFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = set(filters.validated_data["strength"])
        try:
            matches = self.ranked(request, pk)
        except SearchUnavailable as exc:
            raise ServiceUnavailableError(_UNAVAILABLE) from exc
        if wanted:
            matches = [match for match in matches if match.strength in wanted]
        # The stubs ask for a QuerySet; DRF's paginators take any sequence with len() and slices.
        page = self.paginate_queryset(matches)  # type: ignore[arg-type]
        language = _language()
        # `_match` builds MatchSerializer's shape from plain values (str, int, float, bool):
        # the serializer documents it (and the OpenAPI conformance tests check the answers
        # against it), but running 20 matches of 10 components through its fields again
        # cost a sixth of the call's CPU.
        return self.get_paginated_response([_match(m, language) for m in with_owners(page or [])])


_UNAVAILABLE = _("Search is unavailable right now. Please try again later.")


def _schema(operation_id: str) -> Any:
    return extend_schema(
        tags=TAG,
        operation_id=operation_id,
        parameters=[MatchFilterSerializer],
        description=(
            "Ranked and explained matches in the matcher's order, each with its strength "
            "(strong, possible or weak). `strength` keeps only the strengths given, in the "
            "same order. Paginated like every list (`page`, `page_size`; a page past the end "
            "answers 404). An unknown strength answers 400; 503 when search is down."
        ),
        responses={
            200: MatchSerializer(many=True),
            400: OpenApiResponse(ERROR_REF, description="An unknown strength."),
            503: OpenApiResponse(ERROR_REF, description="Search is unavailable."),
        },
    )


@extend_schema_view(get=_schema("need_matches"))
class NeedMatchesApi(_MatchListApi):
    def ranked(self, request: Request, pk: int) -> list[Match]:
        need = selectors.technology_need_get(viewer=request.user, pk=pk)
        return matches_for_need(need=need, viewer=request.user, limit=candidate_limit())


@extend_schema_view(get=_schema("research_result_matches"))
class ResearchResultMatchesApi(_MatchListApi):
    def ranked(self, request: Request, pk: int) -> list[Match]:
        result = selectors.research_result_get(viewer=request.user, pk=pk)
        return matches_for_result(result=result, viewer=request.user, limit=candidate_limit())
