"""REST API of organisations (/api/v1/organizations/, /api/v1/join-requests/ and
/api/v1/organization-claims/): the public directory, registering one, changing its details,
asking to join it and answering such requests, claiming one nobody represents yet (brokers
approve or reject), private evidence, and the brokers' verification (verify, reject with a
reason).

Views are thin: input serializer -> service or selector -> output serializer; errors leave
through `kernel.api.errors.exception_handler` in the one error shape (400 per field, 403, 404,
409).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.web import request_actor, validated
from marketplace import selectors, services
from marketplace.filters import ClaimFilter, OrganizationFilter
from marketplace.models import JoinRequest, Organization, OrganizationClaim
from marketplace.organizations import selectors as org_selectors
from marketplace.organizations.serializers import (
    ClaimInputSerializer,
    ClaimOutputSerializer,
    EvidenceInputSerializer,
    EvidenceOutputSerializer,
    JoinRequestInputSerializer,
    JoinRequestOutputSerializer,
    ReasonInputSerializer,
)
from marketplace.serializers import (
    OrganizationInputSerializer,
    OrganizationOutputSerializer,
    OrganizationVerifySerializer,
)

_ERRORS = "Errors: 400 per field, 403, 404, 409, in the one error shape."


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="One organisation"),
    create=extend_schema(
        summary="Register an organisation (you become its member and administrator; it waits "
        "for a broker's verification)",
        request=OrganizationInputSerializer,
        responses={201: OrganizationOutputSerializer},
    ),
    update=extend_schema(
        summary="Replace an organisation's details (its administrators, brokers)",
        request=OrganizationInputSerializer,
        responses=OrganizationOutputSerializer,
    ),
    partial_update=extend_schema(
        summary="Change an organisation's details (its administrators, brokers)",
        request=OrganizationInputSerializer,
        responses=OrganizationOutputSerializer,
    ),
)
class OrganizationViewSet(viewsets.GenericViewSet[Organization]):
    """Universities, institutes, enterprises, transfer centres (public directory)."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganizationFilter
    queryset = Organization.objects.none()
    lookup_value_regex = r"[^/.]+"  # non-numeric ids -> JSON 404 from the selector

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organization_list()

    def get_object(self) -> Organization:
        return selectors.organization_get(pk=self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        serializer_classes: dict[str, type[serializers.Serializer[Any]]] = {
            "create": OrganizationInputSerializer,
            "update": OrganizationInputSerializer,
            "partial_update": OrganizationInputSerializer,
            "verify": OrganizationVerifySerializer,
            "reject": ReasonInputSerializer,
            "join": JoinRequestInputSerializer,
            "evidence": EvidenceInputSerializer,
            "claim": ClaimInputSerializer,
        }
        return serializer_classes.get(self.action or "", OrganizationOutputSerializer)

    def _out(self, organization: Organization, status_code: int = status.HTTP_200_OK) -> Response:
        data = OrganizationOutputSerializer(
            organization, context=self.get_serializer_context()
        ).data
        return Response(data, status=status_code)

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = OrganizationOutputSerializer(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._out(self.get_object())

    def create(self, request: Request) -> Response:
        data = validated(OrganizationInputSerializer, request)
        organization = services.organization_create(actor=request_actor(request), data=data)
        return self._out(organization, status.HTTP_201_CREATED)

    def _save(self, request: Request, *, partial: bool) -> Response:
        organization = self.get_object()
        data = validated(OrganizationInputSerializer, request, partial=partial)
        organization = services.organization_update(
            organization=organization, actor=request_actor(request), data=data
        )
        return self._out(organization)

    def update(self, request: Request, pk: str) -> Response:
        return self._save(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._save(request, partial=True)

    @extend_schema(
        request=OrganizationVerifySerializer,
        responses=OrganizationOutputSerializer,
        summary="Set or clear the verified badge (brokers)",
        description="Verifying lets the members publish listings and send requests; they are "
        "told. Every decision is recorded. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        data = validated(OrganizationVerifySerializer, request)
        organization = services.organization_verify(
            organization=organization, actor=request_actor(request), verified=data["verified"]
        )
        return self._out(organization)

    @extend_schema(
        request=ReasonInputSerializer,
        responses=OrganizationOutputSerializer,
        summary="Refuse to verify an organisation, with a reason (brokers)",
        description="`reason` is required (400 on `reason` otherwise); the members are told "
        "and may correct the details to ask again. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        data = validated(ReasonInputSerializer, request)
        organization = services.organization_reject(
            organization=organization, actor=request_actor(request),
            reason=data.get("reason", ""),
        )
        return self._out(organization)

    @extend_schema(
        request=JoinRequestInputSerializer,
        responses={201: JoinRequestOutputSerializer},
        summary="Ask to join an organisation",
        description="Its administrators (or brokers) approve or reject; you are told. 409 "
        "with code `already_member`, `already_requested` or `unclaimed`. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        data = validated(JoinRequestInputSerializer, request)
        join_request = services.join_request_create(
            actor=request_actor(request), organization=organization,
            message=data.get("message", ""),
        )
        return Response(JoinRequestOutputSerializer(join_request).data, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": ClaimInputSerializer},
        responses={201: ClaimOutputSerializer},
        summary="Claim an organisation nobody represents yet, with evidence (signed-in users)",
        description="Multipart: `file` (business licence or authorisation letter: PDF, PNG or "
        "JPEG, checked by content; private to you and the brokers) and an optional `message`. "
        "A broker approves (you become its administrator and it is verified) or rejects with a "
        "reason; you are told. 409 with code `has_members` (ask to join instead) or "
        "`already_claimed` (your claim of it is open). " + _ERRORS,
    )
    @action(
        detail=True, methods=["post"], parser_classes=[MultiPartParser],
        permission_classes=[permissions.IsAuthenticated],
    )
    def claim(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        data = validated(ClaimInputSerializer, request)
        claim = services.claim_create(
            actor=request_actor(request), organization=organization, upload=data["file"],
            message=data.get("message", ""),
        )
        return Response(ClaimOutputSerializer(claim).data, status.HTTP_201_CREATED)

    @extend_schema(
        responses=JoinRequestOutputSerializer(many=True),
        summary="Requests to join an organisation (its administrators, brokers)",
        description="Pending first, newest first (not paged). " + _ERRORS,
    )
    @action(
        detail=True, methods=["get"], url_path="join-requests", url_name="join-requests",
        permission_classes=[permissions.IsAuthenticated],
    )
    def join_requests(self, request: Request, pk: str) -> Response:
        queryset = org_selectors.join_request_list(
            viewer=request.user, organization=self.get_object()
        )
        return Response(JoinRequestOutputSerializer(queryset, many=True).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses=EvidenceOutputSerializer(many=True),
        summary="An organisation's evidence files (its members, brokers)",
        description="Empty for everyone else. Each `url` is the only place the file is served, "
        "to the same people.",
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={201: EvidenceOutputSerializer},
        summary="Add an evidence file (business licence: PDF, PNG or JPEG; members, brokers)",
        description="The type is read from the file's content; too large or other types are "
        "400 on `file`. " + _ERRORS,
    )
    @action(
        detail=True, methods=["get", "post"], parser_classes=[MultiPartParser],
        permission_classes=[permissions.IsAuthenticated],
    )
    def evidence(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        if request.method == "POST":
            data = validated(EvidenceInputSerializer, request)
            evidence = services.organization_evidence_add(
                organization=organization, actor=request_actor(request), upload=data["file"]
            )
            return Response(EvidenceOutputSerializer(evidence).data, status.HTTP_201_CREATED)
        files = org_selectors.evidence_list(viewer=request.user, organization=organization)
        return Response(EvidenceOutputSerializer(files, many=True).data)


class JoinRequestViewSet(viewsets.GenericViewSet[JoinRequest]):
    """One request to join an organisation: its administrators (or brokers) answer it."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = JoinRequest.objects.none()
    serializer_class = JoinRequestOutputSerializer
    lookup_value_regex = r"[^/.]+"

    def get_object(self) -> JoinRequest:
        return org_selectors.join_request_get(viewer=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(summary="One request to join", description=_ERRORS)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(JoinRequestOutputSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses=JoinRequestOutputSerializer,
        summary="Approve a request to join (the organisation's administrators, brokers)",
        description="The user becomes a member and is told. 409 once answered. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        join_request = services.join_request_approve(
            join_request=self.get_object(), actor=request_actor(request)
        )
        return Response(JoinRequestOutputSerializer(join_request).data)

    @extend_schema(
        request=ReasonInputSerializer,
        responses=JoinRequestOutputSerializer,
        summary="Decline a request to join, with an optional reason (administrators, brokers)",
        description="The user is told. 409 once answered. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = validated(ReasonInputSerializer, request)
        join_request = services.join_request_reject(
            join_request=self.get_object(), actor=request_actor(request),
            reason=data.get("reason", ""),
        )
        return Response(JoinRequestOutputSerializer(join_request).data)


@extend_schema_view(
    list=extend_schema(
        summary="Claims of organisations (brokers: all; others: their own)",
        description="Open claims first, newest first. " + _ERRORS,
    ),
    retrieve=extend_schema(summary="One claim (its claimant, brokers)", description=_ERRORS),
)
class OrganizationClaimViewSet(viewsets.GenericViewSet[OrganizationClaim]):
    """Claims of organisations nobody represents yet: brokers approve or reject them."""

    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ClaimFilter
    queryset = OrganizationClaim.objects.none()
    serializer_class = ClaimOutputSerializer
    lookup_value_regex = r"[^/.]+"

    def get_object(self) -> OrganizationClaim:
        return org_selectors.claim_get(viewer=self.request.user, pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[OrganizationClaim]:
        return org_selectors.claim_list(viewer=self.request.user)

    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ClaimOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ClaimOutputSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses=ClaimOutputSerializer,
        summary="Approve a claim (brokers)",
        description="The claimant becomes the organisation's administrator, the organisation "
        "is verified, other open claims of it are closed; everyone concerned is told. 409 once "
        "answered, or (code `has_members`) when the organisation has members by now. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        claim = services.claim_approve(claim=self.get_object(), actor=request_actor(request))
        return Response(ClaimOutputSerializer(claim).data)

    @extend_schema(
        request=ReasonInputSerializer,
        responses=ClaimOutputSerializer,
        summary="Reject a claim, with a reason (brokers)",
        description="`reason` is required (400 on `reason` otherwise); the claimant is told "
        "it. 409 once answered. " + _ERRORS,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = validated(ReasonInputSerializer, request)
        claim = services.claim_reject(
            claim=self.get_object(), actor=request_actor(request), reason=data.get("reason", "")
        )
        return Response(ClaimOutputSerializer(claim).data)
