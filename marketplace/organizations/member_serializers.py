"""API bodies of an organisation's members: invitations, members and their roles, the audit
trail (`MembershipEvent`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.choices import MemberRole, choice_label
from marketplace.models import Invitation, Membership, MembershipEvent
from marketplace.serializers import OrganizationBriefSerializer, RejectUnknownFieldsMixin
from marketplace.services.members import is_expired, member_role


class InvitationInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    email = serializers.EmailField(help_text=_("The address the invitation is sent to."))
    role = serializers.ChoiceField(
        choices=MemberRole.choices, default=MemberRole.MEMBER,
        help_text=_("The role the invitee gets: administrator or member."),
    )


class MemberRoleInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=MemberRole.choices)


class InvitationOutputSerializer(serializers.ModelSerializer[Invitation]):
    organization = OrganizationBriefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    expired = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id", "organization", "email", "role", "role_label", "status", "status_label",
            "expired", "invited_by", "created_at", "expires_at", "decided_at",
        ]
        read_only_fields = fields

    def get_expired(self, instance: Invitation) -> bool:
        return is_expired(instance)

    def get_invited_by(self, instance: Invitation) -> str | None:
        return instance.invited_by.get_username() if instance.invited_by else None


class MemberOutputSerializer(serializers.ModelSerializer[Membership]):
    user = serializers.CharField(source="user.get_username", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    role = serializers.SerializerMethodField(help_text=_("administrator or member"))
    role_label = serializers.SerializerMethodField()
    member_role = serializers.CharField(source="role", read_only=True)
    member_role_label = serializers.CharField(source="get_role_display", read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id", "user", "user_id", "role", "role_label", "member_role", "member_role_label",
            "joined_at",
        ]
        read_only_fields = fields

    def get_role(self, instance: Membership) -> str:
        return member_role(instance)

    def get_role_label(self, instance: Membership) -> str:
        return choice_label(MemberRole, member_role(instance))


class MembershipEventOutputSerializer(serializers.ModelSerializer[MembershipEvent]):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()

    class Meta:
        model = MembershipEvent
        fields = ["id", "action", "action_label", "actor", "user", "email", "role", "created_at"]
        read_only_fields = fields

    def get_actor(self, instance: MembershipEvent) -> str | None:
        return instance.actor.get_username() if instance.actor else None

    def get_user(self, instance: MembershipEvent) -> str | None:
        return instance.user.get_username() if instance.user else None
