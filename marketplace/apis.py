"""REST API of the listings domain (/api/v1/): research results, technology needs,
the moderation queue, sign-in tokens, the current user and notifications.

Views are thin: input serializer -> service or selector -> output serializer. Visibility comes
from `marketplace.selectors` (an invisible listing is a 404), permissions and state rules from
`marketplace.services` (403 / 409), and every error leaves through
`kernel.api.errors.exception_handler` as ``{"message", "code", "fields"}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import DomainError
from kernel.web import request_actor
from marketplace import selectors, services
from marketplace.filters import ResearchResultFilter, TechnologyNeedFilter
from marketplace.models import Listing, Notification, Organization, ResearchResult, TechnologyNeed
from marketplace.notifications import notification_mark_all_read
from marketplace.roles import AnyUser
from marketplace.serializers import (
    MeOutputSerializer,
    ModerationQueueSerializer,
    NotificationListParamsSerializer,
    NotificationMarkReadInputSerializer,
    NotificationMarkReadOutputSerializer,
    NotificationOutputSerializer,
    RejectInputSerializer,
    ResearchResultInputSerializer,
    ResearchResultOutputSerializer,
    TechnologyNeedInputSerializer,
    TechnologyNeedOutputSerializer,
)

ListingT = TypeVar("ListingT", ResearchResult, TechnologyNeed)


class _ListingViewSet(viewsets.GenericViewSet[ListingT], Generic[ListingT]):
    """List, read, create, edit and move listings through their workflow.

    Subclasses set the model's selectors, services and serializers.
    """

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"[^/.]+"  # non-numeric ids -> JSON 404 from the selector

    input_serializer_class: ClassVar[type[serializers.Serializer[Any]]]
    output_serializer_class: ClassVar[type[serializers.Serializer[Any]]]

    # set by subclasses (staticmethod-wrapped selectors and services)
    def _list(self, *, viewer: AnyUser) -> QuerySet[ListingT]:
        raise NotImplementedError

    def _get(self, *, viewer: AnyUser, pk: int | str) -> ListingT:
        raise NotImplementedError

    def _create(self, *, actor: User, owner: Organization | None, data: dict[str, Any]) -> ListingT:
        raise NotImplementedError

    def _update(self, *, listing: ListingT, actor: User, data: dict[str, Any]) -> ListingT:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[ListingT]:
        return self._list(viewer=self.request.user)

    def get_object(self) -> ListingT:
        return self._get(viewer=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.action in ("create", "update", "partial_update"):
            return self.input_serializer_class
        if self.action == "reject":
            return RejectInputSerializer
        return self.output_serializer_class

    def _out(self, listing: Listing, status_code: int = status.HTTP_200_OK) -> Response:
        data = self.output_serializer_class(listing, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = self.output_serializer_class(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._out(self.get_object())

    def create(self, request: Request) -> Response:
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None)
        listing = self._create(actor=request_actor(request), owner=owner, data=data)
        return self._out(listing, status.HTTP_201_CREATED)

    def _save(self, request: Request, *, partial: bool) -> Response:
        listing = self.get_object()
        serializer = self.input_serializer_class(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        owner = data.pop("owner", None)
        if owner is not None and owner.pk != listing.owner_id:
            raise DomainError(
                _("The owner of a listing cannot be changed."),
                fields={"owner": [_("The owner of a listing cannot be changed.")]},
            )
        listing = self._update(listing=listing, actor=request_actor(request), data=data)
        return self._out(listing)

    def update(self, request: Request, pk: str) -> Response:
        return self._save(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._save(request, partial=True)

    def _transition(self, service: Callable[..., Listing], **kwargs: Any) -> Response:
        listing = self.get_object()
        return self._out(service(listing=listing, actor=request_actor(self.request), **kwargs))

    @extend_schema(request=None, summary="Submit a draft for review (draft -> pending_review)")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._transition(services.listing_submit)

    @extend_schema(
        request=None, summary="Approve and publish (brokers; pending_review -> published)"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._transition(services.listing_approve)

    @extend_schema(
        request=RejectInputSerializer,
        summary="Send back to the owner with a reason (brokers; pending_review -> draft)",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        serializer = RejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(
            services.listing_reject, reason=serializer.validated_data.get("reason", "")
        )

    @extend_schema(request=None, summary="Archive (owner or brokers; published -> archived)")
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self._transition(services.listing_archive)

    @extend_schema(
        request=None, summary="Renew for another 12 months in search (owner; published)"
    )
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str) -> Response:
        return self._transition(services.listing_renew)


def _listing_schema(noun: str, input_serializer: type, output_serializer: type) -> Any:
    """OpenAPI descriptions of a listing ViewSet's operations (the same for both kinds)."""
    return extend_schema_view(
        list=extend_schema(summary=f"List {noun}s visible to you"),
        retrieve=extend_schema(summary=f"One {noun}"),
        create=extend_schema(
            summary=f"Create a draft {noun}",
            request=input_serializer,
            responses={201: output_serializer},
        ),
        update=extend_schema(
            summary=f"Replace a {noun}'s content (owner members, brokers)",
            request=input_serializer,
            responses=output_serializer,
        ),
        partial_update=extend_schema(
            summary=f"Change a {noun} (owner members, brokers)",
            request=input_serializer,
            responses=output_serializer,
        ),
        **{
            action: extend_schema(responses=output_serializer)
            for action in ("submit", "approve", "reject", "archive", "renew")
        },
    )


@_listing_schema(
    "research result", ResearchResultInputSerializer, ResearchResultOutputSerializer
)
class ResearchResultViewSet(_ListingViewSet[ResearchResult]):
    """科技成果 research results."""

    queryset = ResearchResult.objects.none()  # for the schema; data comes from selectors
    filterset_class = ResearchResultFilter
    input_serializer_class = ResearchResultInputSerializer
    output_serializer_class = ResearchResultOutputSerializer

    def _list(self, *, viewer: AnyUser) -> QuerySet[ResearchResult]:
        return selectors.research_result_list(viewer=viewer)

    def _get(self, *, viewer: AnyUser, pk: int | str) -> ResearchResult:
        return selectors.research_result_get(viewer=viewer, pk=pk)

    def _create(
        self, *, actor: User, owner: Organization | None, data: dict[str, Any]
    ) -> ResearchResult:
        return services.research_result_create(actor=actor, owner=owner, data=data)

    def _update(
        self, *, listing: ResearchResult, actor: User, data: dict[str, Any]
    ) -> ResearchResult:
        return services.research_result_update(research_result=listing, actor=actor, data=data)


@_listing_schema(
    "technology need", TechnologyNeedInputSerializer, TechnologyNeedOutputSerializer
)
class TechnologyNeedViewSet(_ListingViewSet[TechnologyNeed]):
    """企业技术需求 technology needs."""

    queryset = TechnologyNeed.objects.none()
    filterset_class = TechnologyNeedFilter
    input_serializer_class = TechnologyNeedInputSerializer
    output_serializer_class = TechnologyNeedOutputSerializer

    def _list(self, *, viewer: AnyUser) -> QuerySet[TechnologyNeed]:
        return selectors.technology_need_list(viewer=viewer)

    def _get(self, *, viewer: AnyUser, pk: int | str) -> TechnologyNeed:
        return selectors.technology_need_get(viewer=viewer, pk=pk)

    def _create(
        self, *, actor: User, owner: Organization | None, data: dict[str, Any]
    ) -> TechnologyNeed:
        return services.technology_need_create(actor=actor, owner=owner, data=data)

    def _update(
        self, *, listing: TechnologyNeed, actor: User, data: dict[str, Any]
    ) -> TechnologyNeed:
        return services.technology_need_update(technology_need=listing, actor=actor, data=data)

    @extend_schema(
        request=None,
        responses=TechnologyNeedOutputSerializer,
        summary="Close a solved or withdrawn need (owner members; published -> closed)",
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        need = selectors.technology_need_get(viewer=request.user, pk=pk)
        return self._out(services.need_close(need=need, actor=request_actor(request)))


class ModerationQueueApi(APIView):
    """Listings waiting for review, both kinds (brokers only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ModerationQueueSerializer, summary="Listings pending review")
    def get(self, request: Request) -> Response:
        queue = selectors.moderation_queue(viewer=request.user)
        data = ModerationQueueSerializer(
            {"research_results": queue.research_results, "needs": queue.needs},
            context={"request": request},
        ).data
        return Response(data)


class MeApi(APIView):
    """The signed-in user, their memberships and roles."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeOutputSerializer, summary="Who am I")
    def get(self, request: Request) -> Response:
        data = MeOutputSerializer(MeOutputSerializer.build(request_actor(request))).data
        return Response(data)


class NotificationListApi(GenericAPIView[Notification]):
    """``GET``: your notifications, newest first (``?unread=1`` for unread only).
    ``POST {"ids": [...]}`` or ``{"all": true}``: mark them read."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationOutputSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        params = NotificationListParamsSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return selectors.notification_list(
            viewer=self.request.user, unread_only=params.validated_data["unread"]
        )

    @extend_schema(
        summary="Your notifications",
        parameters=[NotificationListParamsSerializer],
        responses=NotificationOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(NotificationOutputSerializer(page, many=True).data)

    @extend_schema(
        request=NotificationMarkReadInputSerializer,
        responses=NotificationMarkReadOutputSerializer,
        summary="Mark notifications read",
    )
    def post(self, request: Request) -> Response:
        serializer = NotificationMarkReadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = None if serializer.validated_data.get("all") else serializer.validated_data["ids"]
        marked = notification_mark_all_read(actor=request_actor(request), ids=ids)
        return Response({"marked": marked})
