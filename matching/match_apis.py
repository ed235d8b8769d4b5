"""Explained matches API (thin views over `matching.matcher`).

GET /api/v1/needs/{id}/matches/             research results that fit a technology need
GET /api/v1/research-results/{id}/matches/  technology needs a research result may solve

Query: `limit` (1–50, default 20). The listing itself must be visible to the viewer
(`marketplace.selectors`), otherwise 404; candidates are searchable listings of other
organisations, visible to everyone.

Response: {"results": [{"type": "result"|"need", "id", "title", "owner", "score",
"components": [{"name", "label", "score", "weight", "known", "reason", "reason_zh",
"reason_en"}], "reason"}]}. Scores and weights are 0–1 (weights sum to 1). `reason` is in the
request's active language (zh-Hans or en); each component also carries both languages.
A search outage answers 503 in the one error shape.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace import selectors
from marketplace.errors import ServiceUnavailableError
from matching.matcher import COMPONENT_LABELS, Match, matches_for_need, matches_for_result
from matching.scoring import Component
from matching.search.backends.base import SearchUnavailable

TAG = ["matches"]
MAX_LIMIT = 50



class MatchQuerySerializer(serializers.Serializer[Any]):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


class MatchComponentSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"
    score = serializers.FloatField()
    weight = serializers.FloatField()
    known = serializers.BooleanField()
    reason = serializers.CharField()
    reason_zh = serializers.CharField()
    reason_en = serializers.CharField()


class MatchSerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["result", "need"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    owner = serializers.CharField()
    score = serializers.FloatField()
    components = MatchComponentSerializer(many=True)
    reason = serializers.CharField()


class MatchListSerializer(serializers.Serializer[Any]):
    results = MatchSerializer(many=True)


def _language() -> str:
    return get_language() or "zh-hans"


def _component(component: Component, language: str) -> dict[str, Any]:
    return {
        "name": component.name,
        "label": str(COMPONENT_LABELS.get(component.name, component.name)),
        "score": component.score,
        "weight": component.weight,
        "known": component.known,
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
        "score": match.score,
        "components": [_component(c, language) for c in match.scored.components],
        "reason": match.scored.reason(language),
    }


def _respond(matches: list[Match]) -> Response:
    language = _language()
    data = {"results": [_match(m, language) for m in matches]}
    return Response(MatchListSerializer(data).data)


def _limit(request: Request) -> int:
    query = MatchQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return int(query.validated_data["limit"])


_UNAVAILABLE = _("Search is unavailable right now. Please try again later.")
_LIMIT_PARAM = OpenApiParameter("limit", int, description="1–50, default 20")


class NeedMatchesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        operation_id="need_matches",
        parameters=[_LIMIT_PARAM],
        responses=MatchListSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        limit = _limit(request)
        need = selectors.technology_need_get(viewer=request.user, pk=pk)
        try:
            matches = matches_for_need(need=need, viewer=request.user, limit=limit)
        except SearchUnavailable as exc:
            raise ServiceUnavailableError(_UNAVAILABLE) from exc
        return _respond(matches)


class ResearchResultMatchesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAG,
        operation_id="research_result_matches",
        parameters=[_LIMIT_PARAM],
        responses=MatchListSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        limit = _limit(request)
        result = selectors.research_result_get(viewer=request.user, pk=pk)
        try:
            matches = matches_for_result(result=result, viewer=request.user, limit=limit)
        except SearchUnavailable as exc:
            raise ServiceUnavailableError(_UNAVAILABLE) from exc
        return _respond(matches)
