"""The autocomplete API: GET /api/v1/search/suggest/?q=储能&limit=10 (thin: validate →
backend.suggest → shape).

Answers {"suggestions": [{"text": "储能电池热管理", "type": "result", "id": 12}, ...]}: titles,
English titles and keywords of searchable, unexpired listings that start with `q` (Elasticsearch:
its completion field; embedded backend: a prefix match), at most `limit` (1–20, default 10).
A blank `q` answers an empty list; bad parameters 400; 503 when the search service is down.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import ServiceUnavailableError
from matching.search import get_search_backend
from matching.search.backends.base import SearchUnavailable
from matching.search.serializers import ERROR_SCHEMA, KIND_CHOICES


class SuggestParamsSerializer(serializers.Serializer[Any]):
    """Query parameters of GET /api/v1/search/suggest/."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text=_("The beginning of a title, English title or keyword."),
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=20, default=10)


class SuggestionSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    type = serializers.ChoiceField(choices=KIND_CHOICES)
    id = serializers.IntegerField()


class SuggestResponseSerializer(serializers.Serializer[Any]):
    suggestions = SuggestionSerializer(many=True)


class SuggestApi(APIView):
    """Autocomplete for the search box."""

    permission_classes = [AllowAny]
    throttle_scope = "suggest"  # kernel.api.throttling
    throttle_methods = ("GET",)

    @extend_schema(
        tags=["search"],
        operation_id="search_suggest",
        parameters=[SuggestParamsSerializer],
        responses={
            200: SuggestResponseSerializer,
            400: OpenApiResponse(ERROR_SCHEMA, description="Invalid parameters."),
            503: OpenApiResponse(ERROR_SCHEMA, description="Search is unavailable."),
        },
        description=(
            "Titles, English titles and keywords of published, unexpired listings that start "
            "with `q` (case-insensitive), titles first, each text once, at most `limit`."
        ),
    )
    def get(self, request: Request) -> Response:
        params = SuggestParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        prefix = params.validated_data["q"].strip()
        if not prefix:
            return Response({"suggestions": []})
        try:
            suggestions = get_search_backend().suggest(prefix, params.validated_data["limit"])
        except SearchUnavailable as exc:
            raise ServiceUnavailableError(
                _("Search is not available at the moment. Please try again later.")
            ) from exc
        return Response(
            {
                "suggestions": [
                    {"text": s.text, "type": s.kind, "id": s.object_id} for s in suggestions
                ]
            }
        )
