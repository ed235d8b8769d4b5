"""Saved searches and alert settings API: /api/v1/saved-searches/ (list, create; one: read,
rename or change, delete) and /api/v1/alert-settings/ (GET, PATCH). Each user sees only their
own: another user's saved search answers 404. Errors use the one shape of
`kernel.api.errors` (400 per field)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.pagination import PageNumberPagination
from kernel.web import request_actor, validated
from matching.alerts.models import SavedSearch

from . import selectors, services
from .serializers import (
    AlertSettingsSerializer,
    AlertSettingsUpdateSerializer,
    SavedSearchSerializer,
    SavedSearchWriteSerializer,
)

TAG = ["alerts"]


class SavedSearchListApi(GenericAPIView[SavedSearch]):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    serializer_class = SavedSearchSerializer

    @extend_schema(tags=TAG, operation_id="saved_searches_list")
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.saved_search_list(viewer=request_actor(request)))
        return self.get_paginated_response(SavedSearchSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="saved_searches_create",
        request=SavedSearchWriteSerializer,
        responses={201: SavedSearchSerializer},
        description="Save a search; you hear of newly published listings it finds. 400 per "
        "field (query.<parameter> for a bad search value).",
    )
    def post(self, request: Request) -> Response:
        data = validated(SavedSearchWriteSerializer, request)
        saved = services.saved_search_create(
            actor=request_actor(request), name=data["name"], query=data["query"]
        )
        return Response(SavedSearchSerializer(saved).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="saved_searches_retrieve",
                   responses=SavedSearchSerializer)
    def get(self, request: Request, pk: int) -> Response:
        saved = selectors.saved_search_get(viewer=request_actor(request), pk=pk)
        return Response(SavedSearchSerializer(saved).data)

    @extend_schema(
        tags=TAG,
        operation_id="saved_searches_partial_update",
        request=SavedSearchWriteSerializer(partial=True),
        responses=SavedSearchSerializer,
        description="Rename a saved search and/or replace its query.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        saved = selectors.saved_search_get(viewer=actor, pk=pk)
        data = validated(SavedSearchWriteSerializer, request, partial=True)
        saved = services.saved_search_update(
            saved_search=saved, actor=actor, name=data.get("name"),
            query=data["query"] if "query" in request.data else None,
        )
        return Response(SavedSearchSerializer(saved).data)

    @extend_schema(tags=TAG, operation_id="saved_searches_destroy", responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        actor = request_actor(request)
        saved = selectors.saved_search_get(viewer=actor, pk=pk)
        services.saved_search_delete(saved_search=saved, actor=actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _settings_body(request: Request) -> dict[str, Any]:
    actor = request_actor(request)
    current = selectors.alert_settings_for(actor)
    return dict(
        AlertSettingsSerializer(
            {"email_mode": current.email_mode, "listings": selectors.followed_listings(actor)}
        ).data
    )


class AlertSettingsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="alert_settings_retrieve",
        responses=AlertSettingsSerializer,
        description="How alerts are e-mailed (immediate, digest: one a day, none) and the "
        "listings of your organisations with whether you follow their new matches.",
    )
    def get(self, request: Request) -> Response:
        return Response(_settings_body(request))

    @extend_schema(
        tags=TAG,
        operation_id="alert_settings_partial_update",
        request=AlertSettingsUpdateSerializer,
        responses=AlertSettingsSerializer,
        description="Change the e-mail mode and/or follow or unfollow listings of your "
        "organisations (403 for another organisation's listing). All or nothing.",
    )
    def patch(self, request: Request) -> Response:
        actor = request_actor(request)
        data = validated(AlertSettingsUpdateSerializer, request)
        services.alert_settings_change(
            actor=actor,
            email_mode=data.get("email_mode"),
            follows=[(i["kind"], i["id"], i["follow"]) for i in data.get("follow", [])],
        )
        return Response(_settings_body(request))
