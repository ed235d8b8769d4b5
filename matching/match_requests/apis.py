"""Match-request API (/api/v1/match-requests/): thin views over
`matching.match_requests.services` and `matching.match_requests.selectors`.

Reads and actions apply the same visibility: a request the viewer may not see (anyone but the
members of the two organisations and brokers) answers 404 for GET and for the actions (accept,
decline, withdraw, post a message) alike, so its existence is not revealed. For a visible
request the service decides: a party acting out of turn (e.g. the requester accepting) gets 403
(PermissionDeniedError); a state clash is 409.
Errors use the one shape of `kernel.api.errors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.pagination import PageNumberPagination
from kernel.web import request_actor
from matching.match_requests import selectors, services
from matching.match_requests.serializers import (
    MatchRequestCreateSerializer,
    MatchRequestDeclineSerializer,
    MatchRequestDetailSerializer,
    MatchRequestFilterSerializer,
    MatchRequestMessageCreateSerializer,
    MatchRequestMessageSerializer,
    MatchRequestSerializer,
)
from matching.models import MatchRequest

if TYPE_CHECKING:
    pass

TAG = ["match requests"]


def _detail(request: Request, match_request: MatchRequest, code: int = 200) -> Response:
    data = MatchRequestDetailSerializer(match_request, context={"viewer": request.user}).data
    return Response(data, status=code)


def _for_action(request: Request, pk: int) -> MatchRequest:
    """The request to act on, if the viewer may see it (else Http404, as for reads)."""
    return selectors.match_request_get(viewer=request.user, pk=pk)


class MatchRequestListApi(GenericAPIView[MatchRequest]):
    permission_classes = [IsAuthenticated]
    throttle_scope = "match_request"  # POST only (kernel.api.throttling)
    pagination_class = PageNumberPagination
    serializer_class = MatchRequestSerializer
    filter_backends: list[type] = []  # filters are validated by MatchRequestFilterSerializer

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_list",
        parameters=[MatchRequestFilterSerializer],
        responses=MatchRequestSerializer(many=True),
        description="Requests the viewer may see: brokers all, organisation members their "
        "own (role=sent: asked by their organisations; role=received: addressed to them).",
    )
    def get(self, request: Request) -> Response:
        filters = MatchRequestFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.match_request_list(viewer=request.user, filters=filters.validated_data)
        page = self.paginate_queryset(qs)
        data = MatchRequestSerializer(page, many=True, context={"viewer": request.user}).data
        return self.get_paginated_response(data)

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_create",
        request=MatchRequestCreateSerializer,
        responses={201: MatchRequestDetailSerializer},
        description="Ask for an introduction to a research result's owner, optionally about "
        "one of your organisation's needs; a member of the result's owner who names a need "
        "proposes the result to that need instead. 409 when an open request for the same "
        "pair exists.",
    )
    def post(self, request: Request) -> Response:
        serializer = MatchRequestCreateSerializer(data=request.data, viewer=request.user)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        match_request = services.match_request_submit(
            actor=request_actor(request),
            research_result=data["research_result"],
            technology_need=data.get("technology_need"),
            message=data["message"],
        )
        return _detail(request, match_request, status.HTTP_201_CREATED)


class MatchRequestDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_retrieve",
        responses=MatchRequestDetailSerializer,
        description="One request with its thread; contact details of the other party are "
        "included once the request is accepted.",
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, selectors.match_request_get(viewer=request.user, pk=pk))


class MatchRequestAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_accept",
        request=None,
        responses=MatchRequestDetailSerializer,
        description="Accept (members of the addressed organisation, or a broker on their "
        "behalf). 409 when the request is not open.",
    )
    def post(self, request: Request, pk: int) -> Response:
        match_request = services.match_request_accept(
            match_request=_for_action(request, pk), actor=request_actor(request)
        )
        return _detail(request, match_request)


class MatchRequestDeclineApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_decline",
        request=MatchRequestDeclineSerializer,
        responses=MatchRequestDetailSerializer,
        description="Decline with a reason (text required for “other”). 409 when not open.",
    )
    def post(self, request: Request, pk: int) -> Response:
        match_request = _for_action(request, pk)
        serializer = MatchRequestDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        match_request = services.match_request_decline(
            match_request=match_request,
            actor=request_actor(request),
            reason=serializer.validated_data["reason"],
            text=serializer.validated_data.get("text", ""),
        )
        return _detail(request, match_request)


class MatchRequestWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_withdraw",
        request=None,
        responses=MatchRequestDetailSerializer,
        description="Withdraw an open request (members of the requesting organisation).",
    )
    def post(self, request: Request, pk: int) -> Response:
        match_request = services.match_request_withdraw(
            match_request=_for_action(request, pk), actor=request_actor(request)
        )
        return _detail(request, match_request)


class MatchRequestMessagesApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "message"  # POST only (kernel.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_messages_list",
        responses=MatchRequestMessageSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        match_request = selectors.match_request_get(viewer=request.user, pk=pk)
        messages = selectors.match_request_messages(match_request=match_request)
        return Response(MatchRequestMessageSerializer(messages, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="match_requests_messages_create",
        request=MatchRequestMessageCreateSerializer,
        responses={201: MatchRequestMessageSerializer},
        description="Post to the thread: both organisations once accepted (409 before), "
        "brokers at any time.",
    )
    def post(self, request: Request, pk: int) -> Response:
        match_request = _for_action(request, pk)
        serializer = MatchRequestMessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.match_request_message_post(
            match_request=match_request,
            actor=request_actor(request),
            body=serializer.validated_data["body"],
        )
        return Response(MatchRequestMessageSerializer(message).data, status=status.HTTP_201_CREATED)
