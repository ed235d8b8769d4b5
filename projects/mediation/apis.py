"""The mediation queue's API (/api/v1/mediated-requests/), brokers only (others: 403): the
list, both kinds, and one POST per action on an item. An id that names nothing in the queue
is 404; acting on a request already answered is 409. Errors use the one shape of
`kernel.api.errors`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.pagination import PageNumberPagination
from kernel.web import request_actor, validated
from projects.mediation import selectors, services
from projects.mediation.selectors import MediatedItem
from projects.mediation.serializers import (
    AcceptInputSerializer,
    DeclineInputSerializer,
    MediatedRequestFilterSerializer,
    MediatedRequestSerializer,
    NoteInputSerializer,
    OutcomeInputSerializer,
)

TAG = ["mediation"]
ITEM_ID = OpenApiParameter(
    "item_id", str, OpenApiParameter.PATH,
    description="The item's id: match_request-<id> or meeting_request-<id>.",
)


class MediatedRequestListApi(GenericAPIView[Any]):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    serializer_class = MediatedRequestSerializer
    filter_backends: list[type] = []  # filters are validated by MediatedRequestFilterSerializer

    @extend_schema(
        tags=TAG,
        operation_id="mediated_requests_list",
        parameters=[MediatedRequestFilterSerializer],
        responses=MediatedRequestSerializer(many=True),
        description="Match requests and 1:1 meeting requests the transfer centre handles "
        "(sent to organisations without members, or escalated after no answer), most "
        "recently mediated first. Brokers only.",
    )
    def get(self, request: Request) -> Response:
        filters = MediatedRequestFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        keys = selectors.mediated_request_keys(
            viewer=request.user, filters=filters.validated_data
        )
        page = self.paginate_queryset(keys)
        items = selectors.mediated_request_items(page or [])
        return self.get_paginated_response(MediatedRequestSerializer(items, many=True).data)


def _act(
    request: Request, item_id: str, serializer_class: type[Any],
    action: Callable[..., None],
) -> Response:
    """Check the viewer (403) and the item (404) first, then the body (400), then act."""
    item = selectors.mediated_request_get(viewer=request.user, item_id=item_id)
    data = validated(serializer_class, request)
    action(item=item, actor=request_actor(request), **data)
    fresh: MediatedItem = selectors.mediated_request_get(viewer=request.user, item_id=item_id)
    return Response(MediatedRequestSerializer(fresh).data)


Post = Callable[..., Response]


def _action_schema(
    operation_id: str, body: type[Any], description: str
) -> Callable[[Post], Post]:
    return extend_schema(
        tags=TAG, operation_id=operation_id, parameters=[ITEM_ID], request=body,
        responses=MediatedRequestSerializer, description=description,
    )


class MediatedRequestOutcomeApi(APIView):
    permission_classes = [IsAuthenticated]

    @_action_schema("mediated_requests_outcome", OutcomeInputSerializer,
                    "Record the outcome of contacting the organisation off the platform.")
    def post(self, request: Request, item_id: str) -> Response:
        return _act(request, item_id, OutcomeInputSerializer,
                    services.mediated_request_record_outcome)


class MediatedRequestInviteToClaimApi(APIView):
    permission_classes = [IsAuthenticated]

    @_action_schema("mediated_requests_invite_to_claim", NoteInputSerializer,
                    "Record that the organisation was invited to claim its page; the "
                    "invitation is e-mailed to its contact address when it has one.")
    def post(self, request: Request, item_id: str) -> Response:
        return _act(request, item_id, NoteInputSerializer,
                    services.mediated_request_invite_to_claim)


class MediatedRequestAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @_action_schema("mediated_requests_accept", AcceptInputSerializer,
                    "Accept on the organisation's behalf; the note is the broker's message "
                    "the requester reads, in the thread and the notification.")
    def post(self, request: Request, item_id: str) -> Response:
        return _act(request, item_id, AcceptInputSerializer, services.mediated_request_accept)


class MediatedRequestDeclineApi(APIView):
    permission_classes = [IsAuthenticated]

    @_action_schema("mediated_requests_decline", DeclineInputSerializer,
                    "Decline on the organisation's behalf; the note is the explanation the "
                    "requester reads.")
    def post(self, request: Request, item_id: str) -> Response:
        return _act(request, item_id, DeclineInputSerializer, services.mediated_request_decline)
