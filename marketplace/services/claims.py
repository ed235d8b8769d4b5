"""Writes of claims: a person asks to represent an organisation nobody is a member of yet
(imported listings' owners, roadshow projects' owners), with evidence; a broker approves or
rejects it.

    pending --approve (broker)--> approved: the claimant becomes the organisation's
       |                          administrator; it is verified (a claim a broker checked is a
       |                          verification, recorded as an `OrganizationDecision`); every
       |                          other open claim of it is closed
       +----reject (broker, reason)--> rejected
       +----another claim approved---> closed

The claim row keeps who decided, when and why (the audit trail). The claimant is told either
way (verbs ``organization_claim.approved`` / ``.rejected`` / ``.closed``); the brokers are told
of a new claim (``organization_claim.created``).

Nothing moves on approval: listings belong to their organisation (`Listing.owner`), so the new
administrator owns them, history and authors kept; requests waiting in the transfer centre's
queue for the organisation stay there, and its members may now answer them as for any request
(membership is what `match_request_accept` and the meeting services check).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, PermissionDeniedError
from kernel.locking import lock_row, lock_row_by_pk
from marketplace import roles
from marketplace.choices import (
    ClaimStatus,
    MemberRole,
    MembershipAction,
    OrganizationKind,
    Role,
    VerificationDecision,
    VerificationStatus,
)
from marketplace.models import Membership, Organization, OrganizationClaim, OrganizationEvidence
from marketplace.notifications import notify
from marketplace.organizations.evidence import save_with_upload
from marketplace.selectors import is_unclaimed
from marketplace.services.common import (
    _CREATOR_ROLE,
    _answer,
    _brokers,
    record_membership_event,
)
from marketplace.services.joining import MESSAGE_MAX_CHARS
from marketplace.services.organizations import (
    REASON_MAX_CHARS,
    _clean_text,
    _decide,
    organization_params,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: The error code of a claim of an organisation that already has members (409).
HAS_MEMBERS_CODE = "has_members"


def _require_unclaimed(organization: Organization) -> None:
    """ConflictError (409, code has_members) unless nobody is an active member
    (`is_unclaimed`: the ``has_members`` read with `organization` when it carries it, as
    `organization_get` does; `claim_approve` passes the locked row, which is asked afresh)."""
    if not is_unclaimed(organization):
        raise ConflictError(
            _("This organisation already has members on Keqiao; ask to join it instead."),
            code=HAS_MEMBERS_CODE,
        )


@transaction.atomic
def claim_create(
    *, actor: User, organization: Organization, upload: UploadedFile, message: str = ""
) -> OrganizationClaim:
    """Claim `organization` with `upload` as evidence (a business licence or an authorisation
    letter: PDF, PNG or JPEG, `marketplace.organizations.evidence`). Any signed-in user may
    (accounts are active once their address is verified); no membership is needed.

    Raises PermissionDeniedError (403: not signed in; a transfer centre), ConflictError (409:
    the organisation has members, code ``has_members``; the actor's claim of it is open, code
    ``already_claimed``), DomainError (400 on ``file`` or ``message``)."""
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in to claim an organisation."))
    text = _clean_text(message, field="message", max_chars=MESSAGE_MAX_CHARS)
    if organization.kind == OrganizationKind.TRANSFER_CENTRE:
        raise PermissionDeniedError(_("Brokers are appointed by the transfer centre."))
    _require_unclaimed(organization)
    claim = OrganizationClaim(organization=organization, claimant=actor, message=text)
    try:
        with transaction.atomic():
            save_with_upload(claim, upload)
    except IntegrityError:
        raise ConflictError(
            _("You have already claimed this organisation; a broker will answer."),
            code="already_claimed",
        ) from None
    notify(
        users=_brokers(), verb="organization_claim.created",
        params={**organization_params(organization), "user": actor.get_username()},
    )
    return claim


def _lock_pending(claim: OrganizationClaim) -> OrganizationClaim:
    locked = lock_row(claim)
    if locked.status != ClaimStatus.PENDING:
        raise ConflictError(_("This claim has already been answered."))
    return locked


def _require_broker(actor: User) -> None:
    roles.require_broker(actor, _("Only brokers can answer claims of organisations."))


def _close_others(approved: OrganizationClaim, *, actor: User) -> None:
    """Close every other open claim of the organisation in one update (the rows keep who
    closed them and when, as `_answer` records) and tell the claimants."""
    others = OrganizationClaim.objects.select_for_update(of=("self",)).filter(
        organization_id=approved.organization_id, status=ClaimStatus.PENDING
    ).exclude(pk=approved.pk)
    locked = list(others.select_related("claimant"))
    OrganizationClaim.objects.filter(pk__in=[other.pk for other in locked]).update(
        status=ClaimStatus.CLOSED, decided_by=actor, decided_at=timezone.now()
    )
    users = [other.claimant for other in locked]
    if users:
        notify(users=users, verb="organization_claim.closed",
               params=organization_params(approved.organization))


@transaction.atomic
def claim_approve(*, claim: OrganizationClaim, actor: User) -> OrganizationClaim:
    """Approve a claim (brokers): the claimant becomes the organisation's administrator (with
    the role its creator would have), the organisation is verified, its evidence gains the
    claim's file, other open claims of it are closed; everyone concerned is told. Raises
    PermissionDeniedError (403), ConflictError (409: already answered; the organisation has
    members by now, code ``has_members``)."""
    _require_broker(actor)
    # The organisation's row first, then the claims (this one, then the others in id order):
    # two approvals of one organisation's claims wait for each other instead of deadlocking.
    organization = lock_row_by_pk(Organization, claim.organization_id)
    locked = _lock_pending(claim)
    _require_unclaimed(organization)
    if not locked.claimant.is_active:
        raise ConflictError(
            _("The claimant has deleted their account; the claim cannot be approved."),
            code="claimant_gone",
        )
    _answer(locked, status=ClaimStatus.APPROVED, actor=actor, reason="")
    Membership.objects.create(
        user=locked.claimant,
        organization=organization,
        role=_CREATOR_ROLE.get(organization.kind, Role.RESEARCHER),
        is_administrator=True,
    )
    roles.forget_memberships(locked.claimant)
    record_membership_event(
        organization, MembershipAction.CLAIM_APPROVED, actor=actor, user=locked.claimant,
        role=MemberRole.ADMINISTRATOR,
    )
    # The claim's file becomes the organisation's evidence (the same stored file).
    OrganizationEvidence.objects.create(
        organization=organization, file=locked.file.name, original_name=locked.original_name,
        content_type=locked.content_type, size=locked.size, uploaded_by=locked.claimant,
    )
    _decide(
        organization, actor=actor,
        decision=VerificationDecision.VERIFIED, status=VerificationStatus.VERIFIED,
    )
    _close_others(locked, actor=actor)
    notify(users=[locked.claimant], verb="organization_claim.approved",
           params=organization_params(organization))
    return locked


@transaction.atomic
def claim_reject(*, claim: OrganizationClaim, actor: User, reason: str) -> OrganizationClaim:
    """Reject a claim (brokers) with a `reason` (required, at most `REASON_MAX_CHARS`: 400 on
    ``reason`` otherwise); the claimant is told it. Raises PermissionDeniedError (403),
    ConflictError (409: already answered)."""
    _require_broker(actor)
    reason = _clean_text(
        reason, field="reason", max_chars=REASON_MAX_CHARS,
        missing=_("Give a reason for the rejection."),
    )
    lock_row_by_pk(Organization, claim.organization_id)  # the order of claim_approve
    locked = _lock_pending(claim)
    _answer(locked, status=ClaimStatus.REJECTED, actor=actor, reason=reason)
    notify(
        users=[locked.claimant], verb="organization_claim.rejected",
        params={**organization_params(locked.organization), "reason": reason},
    )
    return locked
