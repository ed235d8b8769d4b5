"""Writes of join requests: a user asks to become a member of an organisation, and its
administrators (or brokers) approve or reject. The user is told either way (verbs
``join_request.approved`` / ``join_request.rejected``); the administrators are told of a new
request (``join_request.created``; the brokers when the organisation has no administrator).

A member joins with the role its organisation's kind implies (researcher; enterprise member
for an enterprise). Transfer centres take no join requests (brokers moderate everything, so
they are appointed, not approved), nor do organisations nobody represents yet: those are
claimed, with evidence, through the brokers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, PermissionDeniedError
from kernel.locking import lock_row, lock_row_by_pk
from marketplace import roles
from marketplace.choices import (
    ClaimStatus,
    JoinRequestStatus,
    MemberRole,
    MembershipAction,
    OrganizationKind,
    Role,
)
from marketplace.models import JoinRequest, Membership, Organization, OrganizationClaim
from marketplace.notifications import notify
from marketplace.selectors import active_memberships, has_active_members
from marketplace.services.common import (
    _CREATOR_ROLE,
    _answer,
    _brokers,
    record_membership_event,
)
from marketplace.services.organizations import (
    REASON_MAX_CHARS,
    _clean_text,
    organization_params,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Longest message of a join request, in characters.
MESSAGE_MAX_CHARS = 2000


@transaction.atomic
def join_request_create(
    *, actor: User, organization: Organization, message: str = ""
) -> JoinRequest:
    """Ask to join `organization`. Raises PermissionDeniedError (403: not signed in; a transfer
    centre), ConflictError (409: already a member, code ``already_member``; a pending request
    exists, code ``already_requested``; nobody represents the organisation yet, code
    ``unclaimed``), DomainError (400: a message over `MESSAGE_MAX_CHARS`)."""
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in to ask to join an organisation."))
    text = _clean_text(message, field="message", max_chars=MESSAGE_MAX_CHARS)
    if organization.kind == OrganizationKind.TRANSFER_CENTRE:
        raise PermissionDeniedError(_("Brokers are appointed by the transfer centre."))
    if roles.is_member(actor, organization):
        raise ConflictError(_("You are already a member of this organisation."),
                            code="already_member")
    # Active administrators only: notify() skips inactive accounts, so a list of deactivated
    # ones would tell nobody instead of falling back to the brokers.
    administrators = active_memberships().filter(organization=organization, is_administrator=True)
    if not has_active_members(organization):
        raise ConflictError(
            _("Nobody represents this organisation on Keqiao yet, so nobody can approve a "
              "request to join it."),
            code="unclaimed",
        )
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                user=actor, organization=organization, message=text
            )
    except IntegrityError:
        raise ConflictError(
            _("You have already asked to join this organisation."), code="already_requested"
        ) from None
    admin_users = [m.user for m in administrators.select_related("user")]
    notify(
        users=admin_users or list(_brokers()),
        verb="join_request.created",
        params={**organization_params(organization), "user": actor.get_username()},
    )
    return join_request


def _require_manager(actor: User, join_request: JoinRequest) -> None:
    if not roles.may_manage_members(actor, join_request.organization_id):
        raise PermissionDeniedError(
            _("Only the organisation's administrators or brokers can answer requests to join.")
        )


def _close(join_request: JoinRequest, *, actor: User, status: str, reason: str) -> JoinRequest:
    locked = lock_row(join_request)
    if locked.status != JoinRequestStatus.PENDING:
        raise ConflictError(_("This request has already been answered."))
    _answer(locked, status=status, actor=actor, reason=reason)
    return locked


@transaction.atomic
def join_request_approve(*, join_request: JoinRequest, actor: User) -> JoinRequest:
    """Make the asking user a member (administrators of the organisation, brokers). Raises
    PermissionDeniedError (403), ConflictError (409: already answered)."""
    _require_manager(actor, join_request)
    # The organisation's row first (as invitation_accept): one membership write at a time.
    lock_row_by_pk(Organization, join_request.organization_id)
    locked = _close(join_request, actor=actor, status=JoinRequestStatus.APPROVED, reason="")
    organization = locked.organization
    Membership.objects.get_or_create(
        user=locked.user,
        organization=organization,
        defaults={"role": _CREATOR_ROLE.get(organization.kind, Role.RESEARCHER)},
    )
    roles.forget_memberships(locked.user)
    record_membership_event(
        organization, MembershipAction.JOIN_REQUEST_APPROVED, actor=actor, user=locked.user,
        role=MemberRole.MEMBER,
    )
    notify(users=[locked.user], verb="join_request.approved",
           params=organization_params(organization))
    return locked


@transaction.atomic
def join_request_reject(
    *, join_request: JoinRequest, actor: User, reason: str = ""
) -> JoinRequest:
    """Decline a request to join (administrators of the organisation, brokers), with an
    optional `reason` told to the user. Raises PermissionDeniedError (403), ConflictError (409:
    already answered), DomainError (400: a reason over `REASON_MAX_CHARS`)."""
    _require_manager(actor, join_request)
    reason = _clean_text(reason, field="reason", max_chars=REASON_MAX_CHARS)
    locked = _close(join_request, actor=actor, status=JoinRequestStatus.REJECTED, reason=reason)
    params: dict[str, str | int] = {**organization_params(locked.organization), "reason": reason}
    if not reason:
        params["variant"] = "no_reason"
    notify(users=[locked.user], verb="join_request.rejected", params=params)
    return locked


def requests_withdraw(*, user: User) -> None:
    """Withdraw `user`'s open requests to join and claims of organisations (their account is
    being deleted, `accounts.services.delete_account`): nobody could approve a person who is
    gone. Invitations sent to their address stay as they are (nobody can accept them)."""
    join_requests = JoinRequest.objects.select_for_update(of=("self",)).filter(
        user=user, status=JoinRequestStatus.PENDING
    )
    for join_request in join_requests.order_by("pk"):
        _answer(join_request, status=JoinRequestStatus.WITHDRAWN, actor=user)
    claims = OrganizationClaim.objects.select_for_update(of=("self",)).filter(
        claimant=user, status=ClaimStatus.PENDING
    )
    for claim in claims.order_by("pk"):
        _answer(claim, status=ClaimStatus.WITHDRAWN, actor=user)
