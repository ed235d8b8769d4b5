"""Reads of an organisation's members, invitations and the members' audit trail. Who sees what:

- members: the organisation's members and brokers; others get 403;
- pending invitations and the audit trail (`MembershipEvent`): its administrators and brokers
  (`roles.may_manage_members`); others get 403;
- an invitation by its token: whoever holds the link (the token is the secret); 404 for an
  unknown token.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import PermissionDeniedError
from marketplace import roles
from marketplace.choices import InvitationStatus
from marketplace.models import Invitation, Membership, MembershipEvent, Organization
from marketplace.organizations.tokens import token_digest
from marketplace.roles import AnyUser


def may_see_members(viewer: AnyUser, organization: Organization | int) -> bool:
    return roles.is_broker(viewer) or roles.is_member(viewer, organization)


def _require_members_view(viewer: AnyUser, organization: Organization | int) -> None:
    if not may_see_members(viewer, organization):
        raise PermissionDeniedError(
            _("Only the organisation's members and brokers see its members.")
        )


def member_list(*, viewer: AnyUser, organization: Organization) -> QuerySet[Membership]:
    """The organisation's members, administrators first, then by joining date."""
    _require_members_view(viewer, organization)
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_administrator", "created_at", "id")
    )


def membership_get(*, viewer: AnyUser, organization: Organization, pk: int) -> Membership:
    """One membership of `organization` (403 for those who may not see its members, 404 for
    another organisation's or an unknown one)."""
    _require_members_view(viewer, organization)
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, pk=pk)
        .first()
    )
    if membership is None:
        raise Http404(_("No such member."))
    return membership


def invitation_list(*, viewer: AnyUser, organization: Organization) -> QuerySet[Invitation]:
    """The organisation's invitations still usable (pending, not expired), newest first."""
    roles.require_may_manage_members(viewer, organization)
    return Invitation.objects.filter(
        organization=organization, status=InvitationStatus.PENDING,
        expires_at__gt=timezone.now(),
    ).select_related("organization", "invited_by")


def invitation_get(*, viewer: AnyUser, organization: Organization, pk: int) -> Invitation:
    """One invitation of `organization`, any state (403 for non-managers, 404 otherwise)."""
    roles.require_may_manage_members(viewer, organization)
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(organization=organization, pk=pk)
        .first()
    )
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


def invitations_for(viewer: AnyUser) -> QuerySet[Invitation]:
    """Usable invitations (pending, not expired) to the signed-in `viewer`'s own e-mail
    address (``User.email``, which holds only a verified address), oldest first: an account
    that signed up from an invitation finds it again here, as the verified address proves
    the same mailbox the link does. Empty for anonymous visitors and accounts without an
    address."""
    email = getattr(viewer, "email", "") or ""
    if not viewer.is_authenticated or not email:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email__iexact=email, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
        )
        .exclude(organization__memberships__user_id=viewer.pk)
        .select_related("organization", "invited_by")
        .order_by("created_at", "id")
    )


def invitation_for(*, viewer: AnyUser, pk: int) -> Invitation:
    """One of `invitations_for(viewer)` (404 when it is not one of them)."""
    invitation = invitations_for(viewer).filter(pk=pk).first()
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


def invitation_by_token(token: str) -> Invitation:
    """The invitation a link's `token` names, whatever its state (404 when none does)."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


def membership_events(
    *, viewer: AnyUser, organization: Organization
) -> QuerySet[MembershipEvent]:
    """The audit trail of the organisation's members, newest first."""
    roles.require_may_manage_members(viewer, organization)
    return MembershipEvent.objects.filter(organization=organization).select_related(
        "actor", "user"
    )
