"""The search API: GET /api/v1/search/ (thin: validate → backend → shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.pagination import PageNumberPagination, paginate_fetched
from kernel.errors import ServiceUnavailableError
from matching.search import get_search_backend
from matching.search.backends.base import SearchHit, SearchQuery, SearchUnavailable
from matching.search.documents import listing_url, listings_for_hits
from matching.search.fallback import MatchMode, search_listings
from matching.search.serializers import (
    ERROR_SCHEMA,
    SearchParamsSerializer,
    SearchResponseSerializer,
)


def search_query_from(params: dict[str, Any]) -> SearchQuery:
    """A backend query (page 1) from validated SearchParamsSerializer data."""
    return SearchQuery(
        text=params.get("q", "").strip(),
        kind=params.get("type") or None,
        fields=tuple(params.get("field", ())),
        provinces=tuple(params.get("province", ())),
        cities=tuple(params.get("city", ())),
        stages=tuple(params.get("stage", ())),
        modes=tuple(params.get("mode", ())),
        trl_min=params.get("trl_min"),
        trl_max=params.get("trl_max"),
        price_min_cny=params.get("price_min"),
        price_max_cny=params.get("price_max"),
    )


def search_rows(hits: Sequence[SearchHit]) -> list[dict[str, Any]]:
    """The hits with their listing cards; hits whose listing is no longer published are left
    out of the page."""
    listings = listings_for_hits((hit.kind, hit.object_id) for hit in hits)
    rows = []
    for hit in hits:
        listing = listings.get((hit.kind, hit.object_id))
        if listing is None:
            continue
        rows.append(
            {
                "type": hit.kind,
                "id": hit.object_id,
                "title": listing.title,
                "score": hit.score,
                "highlights": hit.highlights,
                "listing": {
                    "title": listing.title,
                    "title_en": listing.title_en,
                    "field": listing.field,
                    "province": listing.province,
                    "city": listing.city,
                    "trl": listing.trl,
                    "owner_name": listing.owner.legal_name,
                    "url": listing_url(hit.kind, hit.object_id),
                },
            }
        )
    return rows


class SearchApi(APIView):
    """Full-text search over published research results and technology needs."""

    permission_classes = [AllowAny]
    throttle_scope = "search"  # kernel.api.throttling
    throttle_methods = ("GET",)

    @extend_schema(
        tags=["search"],
        operation_id="search",
        parameters=[
            SearchParamsSerializer,
            OpenApiParameter("page", int, description="A page number within the list."),
            OpenApiParameter("page_size", int, description="Results per page (1–100)."),
        ],
        responses={
            200: SearchResponseSerializer,
            400: OpenApiResponse(ERROR_SCHEMA, description="Invalid parameters."),
            503: OpenApiResponse(ERROR_SCHEMA, description="Search is unavailable."),
        },
        description=(
            "Ranked (BM25), filtered and faceted search over published, unexpired listings. `q` "
            "may be Chinese or English; domain synonyms are added. Without `q`, all matching "
            "listings, newest first. When no listing has the words, those with some of them are "
            "returned (with semantic matching on, the whole pages of the first 100 ordered by "
            "meaning; `score` stays BM25's), else (with semantic matching on) the nearest in "
            "meaning; `match_mode` says which. Lists (field, province, city, stage, mode) accept "
            "repeated parameters or commas and mean 'any of'. price_min/price_max keep listings "
            "whose price or budget range overlaps. Paginated like every list (`page`, "
            "`page_size`; a page past the end answers 404); `facets` count all matching listings."
            " Bad values answer 400; 503 when the search service is down."
        ),
    )
    def get(self, request: Request) -> Response:
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = search_query_from(params.validated_data)
        backend = get_search_backend()
        facets: dict[str, dict[str, int]] = {}
        modes: list[MatchMode] = []

        def fetch(page: int, page_size: int) -> tuple[int, Sequence[SearchHit]]:
            found = search_listings(
                replace(query, page=page, page_size=page_size, with_facets=not facets), backend
            )
            facets.update(found.results.facets)
            modes.append(found.mode)
            return found.results.total, found.results.hits

        paginator = PageNumberPagination()
        try:
            hits = paginate_fetched(paginator, request, fetch)
        except SearchUnavailable as exc:
            raise ServiceUnavailableError(
                _("Search is not available at the moment. Please try again later.")
            ) from exc
        response = paginator.get_paginated_response(search_rows(hits))
        response.data["facets"] = facets
        response.data["match_mode"] = str(modes[-1]) if modes else MatchMode.ALL_WORDS.value
        return response
