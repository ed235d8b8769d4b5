"""REST API of an organisation's members (/api/v1/organizations/{id}/invitations/, members/,
member-events/ and /api/v1/invitations/{token}/accept/): invite by e-mail, list and revoke
pending invitations, accept one, list members, change a member's role, remove a member or
leave, and the audit trail.

Views are thin: input serializer -> service or selector -> output serializer; errors leave
through `kernel.api.errors.exception_handler` in the one error shape.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.web import request_actor, validated
from marketplace import selectors, services
from marketplace.models import MembershipEvent
from marketplace.organizations import member_selectors
from marketplace.organizations.member_serializers import (
    InvitationInputSerializer,
    InvitationOutputSerializer,
    MemberOutputSerializer,
    MemberRoleInputSerializer,
    MembershipEventOutputSerializer,
)

TAG = ["organizations"]
_ERRORS = "Errors in the one error shape."


class InvitationListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_scope = "invitation"  # POST only: each sends an e-mail (kernel.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="organizations_invitations_list",
        responses=InvitationOutputSerializer(many=True),
        summary="Pending invitations of an organisation (its administrators, brokers)",
        description="Usable ones only (not accepted, revoked or expired), newest first; not "
        "paged. 403 for everyone else. " + _ERRORS,
    )
    def get(self, request: Request, pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        invitations = member_selectors.invitation_list(
            viewer=request.user, organization=organization
        )
        return Response(InvitationOutputSerializer(invitations, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="organizations_invitations_create",
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer},
        summary="Invite an e-mail address to become a member (administrators, brokers)",
        description="The address gets an e-mail with a link that works once and for "
        "KEQIAO_INVITATION_DAYS days; the token is never returned or stored. 409 with code "
        "`already_member` or `already_invited`; rate-limited (429). " + _ERRORS,
    )
    def post(self, request: Request, pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        data = validated(InvitationInputSerializer, request)
        invitation = services.invitation_create(
            actor=request_actor(request), organization=organization,
            email=data["email"], role=data["role"],
        )
        return Response(InvitationOutputSerializer(invitation).data, status.HTTP_201_CREATED)


class InvitationRevokeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="organizations_invitations_revoke",
        request=None,
        responses=InvitationOutputSerializer,
        summary="Revoke a pending invitation (administrators, brokers)",
        description="Its link stops working (410 `invitation_revoked`). 409 once accepted or "
        "revoked. " + _ERRORS,
    )
    def post(self, request: Request, pk: int, invitation_pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        invitation = member_selectors.invitation_get(
            viewer=request.user, organization=organization, pk=invitation_pk
        )
        invitation = services.invitation_revoke(
            actor=request_actor(request), invitation=invitation
        )
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationAcceptApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["invitations"],
        operation_id="invitations_accept",
        request=None,
        responses={
            200: InvitationOutputSerializer,
            410: OpenApiResponse(
                description="The link was used (`invitation_used`), expired "
                "(`invitation_expired`) or revoked (`invitation_revoked`)."
            ),
        },
        summary="Accept an invitation: you become a member with the invited role",
        description="Only the account whose (verified) e-mail is the invited address may "
        "accept (403 `invitation_other_address` otherwise); 404 for an unknown token; 409 "
        "`already_member`. " + _ERRORS,
    )
    def post(self, request: Request, token: str) -> Response:
        invitation = member_selectors.invitation_by_token(token)
        invitation = services.invitation_accept(
            actor=request_actor(request), invitation=invitation
        )
        return Response(InvitationOutputSerializer(invitation).data)


class MemberListApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="organizations_members_list",
        responses=MemberOutputSerializer(many=True),
        summary="An organisation's members (its members, brokers)",
        description="Administrators first; not paged. 403 for everyone else. " + _ERRORS,
    )
    def get(self, request: Request, pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        members = member_selectors.member_list(viewer=request.user, organization=organization)
        return Response(MemberOutputSerializer(members, many=True).data)


class MemberDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="organizations_members_role",
        request=MemberRoleInputSerializer,
        responses=MemberOutputSerializer,
        summary="Make a member an administrator or a plain member (administrators, brokers)",
        description="409 `last_administrator` when it would leave the organisation without "
        "an administrator. Recorded in the audit trail. " + _ERRORS,
    )
    def patch(self, request: Request, pk: int, membership_pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        membership = member_selectors.membership_get(
            viewer=request.user, organization=organization, pk=membership_pk
        )
        data = validated(MemberRoleInputSerializer, request)
        membership = services.member_set_role(
            actor=request_actor(request), membership=membership, role=data["role"]
        )
        return Response(MemberOutputSerializer(membership).data)

    @extend_schema(
        tags=TAG,
        operation_id="organizations_members_remove",
        request=None,
        responses={204: None},
        summary="Remove a member (administrators, brokers) or leave (the member)",
        description="409 `last_administrator` for the organisation's only administrator. "
        "Recorded in the audit trail. " + _ERRORS,
    )
    def delete(self, request: Request, pk: int, membership_pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        membership = member_selectors.membership_get(
            viewer=request.user, organization=organization, pk=membership_pk
        )
        services.member_remove(actor=request_actor(request), membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipEventListApi(GenericAPIView[MembershipEvent]):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MembershipEventOutputSerializer
    queryset = MembershipEvent.objects.none()  # the schema's model; rows come from the selector

    @extend_schema(
        tags=TAG,
        operation_id="organizations_member_events_list",
        responses=MembershipEventOutputSerializer(many=True),
        summary="The audit trail of an organisation's members (administrators, brokers)",
        description="Invitations, acceptances, revocations, role changes, removals and "
        "departures: who, whom, when, what; newest first. " + _ERRORS,
    )
    def get(self, request: Request, pk: int) -> Response:
        organization = selectors.organization_get(pk=pk)
        events = member_selectors.membership_events(
            viewer=request.user, organization=organization
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(
            MembershipEventOutputSerializer(page, many=True).data
        )
