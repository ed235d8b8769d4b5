"""Writes of an organisation's members: invitations by e-mail, role changes, removal, leaving.

Invitations. An administrator of the organisation (or a broker, `roles.may_manage_members`)
invites an e-mail address with a role (`MemberRole`: administrator or member). The e-mail
carries an absolute link under ``settings.SITE_URL`` with a random token; only its digest is
stored (`marketplace.organizations.tokens`). A link works once and
for ``settings.INVITATION_DAYS`` days; a used, expired or revoked link is refused with 410 and
the codes ``invitation_used``, ``invitation_expired``, ``invitation_revoked``.

Accepting binds to the invited address: the signed-in account's e-mail must be that address
(case-insensitive), otherwise 403 ``invitation_other_address``. An account's e-mail is always
a verified one (`accounts.verification`: a signed-up account stays inactive until its address
is verified, and a changed address becomes the account's e-mail only once verified), so an
active account with that e-mail proves the invitee read the mail.

Roles. The last administrator of an organisation cannot be demoted, removed or leave (409
``last_administrator``): somebody must remain to answer join requests and invite. Changes to
one organisation's members take its row lock, so two administrators demoting each other at
once cannot leave it without one.

Every change is recorded as a `MembershipEvent` (who, whom, when, what).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import idna
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, GoneError, PermissionDeniedError, field_error
from kernel.locking import lock_row, lock_row_by_pk
from marketplace import roles
from marketplace.choices import (
    InvitationStatus,
    MemberRole,
    MembershipAction,
    OrganizationKind,
    Role,
    choice_label,
)
from marketplace.models import Invitation, Membership, Organization
from marketplace.notifications import EMAIL_SUBJECT_PREFIX, absolute_url
from marketplace.organizations.tokens import new_token, token_digest
from marketplace.selectors import active_memberships
from marketplace.services.common import _CREATOR_ROLE, _answer, record_membership_event

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

#: Error codes API clients test (410, 403, 409).
USED_CODE = "invitation_used"
EXPIRED_CODE = "invitation_expired"
REVOKED_CODE = "invitation_revoked"
OTHER_ADDRESS_CODE = "invitation_other_address"
LAST_ADMINISTRATOR_CODE = "last_administrator"


def member_role(membership: Membership) -> str:
    """A membership's `MemberRole` code."""
    return MemberRole.ADMINISTRATOR if membership.is_administrator else MemberRole.MEMBER


def is_expired(invitation: Invitation) -> bool:
    return invitation.expires_at <= timezone.now()


def _address_key(address: str) -> tuple[str, str]:
    local, _at, domain = address.strip().rpartition("@")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        ascii_domain = domain.lower()
    return local.lower(), ascii_domain


def same_address(first: str, second: str) -> bool:
    """Whether two e-mail addresses are the same: the local part compared case-insensitively
    (lower(), as the ``iexact`` lookups of invitations and members), the domain as its IDNA
    A-label (UTS #46, non-transitional: "straße.de" is xn--strae-oqa.de, another domain than
    "strasse.de", which casefold() would make equal)."""
    if not first or not second:
        return False
    return _address_key(first) == _address_key(second)


def _clean_email(email: str) -> str:
    email = BaseUserManager.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        raise field_error("email", _("Enter a valid e-mail address.")) from None
    return email


def _invitation_email(invitation: Invitation, token: str, inviter: User) -> tuple[str, str]:
    """Subject (site language) and body (every site language, then the absolute link)."""
    link = absolute_url(reverse("invitation-accept", args=[token]))
    params = {
        "inviter": inviter.get_username(),
        "name": invitation.organization.legal_name,
        "date": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
    }
    texts: list[str] = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            text = gettext(
                "%(inviter)s invites you to join %(name)s on Keqiao as %(role)s. Open the link "
                "below, signed in (or after signing up) with this e-mail address. It can be "
                "used once, until %(date)s."
            ) % {**params, "role": choice_label(MemberRole, invitation.role)}
        if text not in texts:
            texts.append(text)
    with translation.override(settings.LANGUAGE_CODE):
        subject = EMAIL_SUBJECT_PREFIX + gettext("An invitation to join an organisation")
    return subject, "\n\n".join([*texts, link])


def _send(subject: str, body: str, address: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # a mail outage must not break the request that caused it
        logger.exception("Could not send an invitation e-mail")


@transaction.atomic
def invitation_create(
    *, actor: User, organization: Organization, email: str, role: str = MemberRole.MEMBER
) -> Invitation:
    """Invite `email` to `organization` with `role` (a `MemberRole`) and e-mail the link (after
    commit). Raises PermissionDeniedError (403: not an administrator of it or a broker; a
    transfer centre, whose brokers are appointed), DomainError (400 on ``email`` or ``role``),
    ConflictError (409: the address is a member, code ``already_member``; a usable invitation
    to it is pending, code ``already_invited``)."""
    roles.require_may_manage_members(actor, organization)
    if organization.kind == OrganizationKind.TRANSFER_CENTRE:
        raise PermissionDeniedError(_("Brokers are appointed by the transfer centre."))
    email = _clean_email(email)
    if role not in MemberRole.values:
        raise field_error("role", _("Choose administrator or member."))
    lock_row(organization)
    members = Membership.objects.filter(organization=organization, user__email__iexact=email)
    if members.exists():
        raise ConflictError(_("This address belongs to a member already."), code="already_member")
    pending = Invitation.objects.filter(
        organization=organization, email__iexact=email, status=InvitationStatus.PENDING,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ConflictError(
            _("This address has a pending invitation; revoke it to send a new one."),
            code="already_invited",
        )
    token = new_token()
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, token_digest=token_digest(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    record_membership_event(
        organization, MembershipAction.INVITED, actor=actor, email=email, role=role
    )
    subject, body = _invitation_email(invitation, token, actor)
    transaction.on_commit(lambda: _send(subject, body, email))
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw a pending invitation (its organisation's administrators, brokers): its link
    stops working (410 ``invitation_revoked``). Raises PermissionDeniedError (403),
    ConflictError (409: accepted or revoked already)."""
    roles.require_may_manage_members(actor, invitation.organization_id)
    locked = lock_row(invitation)
    if locked.status != InvitationStatus.PENDING:
        raise ConflictError(_("This invitation was already accepted or revoked."))
    _answer(locked, status=InvitationStatus.REVOKED, actor=actor)
    record_membership_event(
        locked.organization, MembershipAction.INVITATION_REVOKED, actor=actor,
        email=locked.email, role=locked.role,
    )
    return locked


def refusal(invitation: Invitation) -> GoneError | None:
    """Why `invitation`'s link no longer works (410 with its code), or None while usable."""
    if invitation.status == InvitationStatus.REVOKED:
        return GoneError(_("This invitation was revoked."), code=REVOKED_CODE)
    if invitation.status == InvitationStatus.ACCEPTED:
        return GoneError(_("This invitation has already been used."), code=USED_CODE)
    if is_expired(invitation):
        return GoneError(
            _("This invitation has expired. Ask the organisation for a new one."),
            code=EXPIRED_CODE,
        )
    return None


@transaction.atomic
def invitation_accept(*, actor: User, invitation: Invitation) -> Invitation:
    """Accept `invitation` as `actor`, who becomes a member with the invited role (and the
    organisation kind's member role, as with join requests). Raises GoneError (410: used,
    expired, revoked), PermissionDeniedError (403: not signed in; code
    ``invitation_other_address`` when the account's e-mail is not the invited address),
    ConflictError (409 ``already_member``)."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDeniedError(_("Sign in to accept the invitation."))
    # The organisation's row first (as join_request_approve and member_remove): a join request
    # approved meanwhile has committed its membership when the check below runs (409, not the
    # unique constraint's 500).
    lock_row_by_pk(Organization, invitation.organization_id)
    locked = lock_row(invitation, related=["organization"])
    gone = refusal(locked)
    if gone is not None:
        raise gone
    if not same_address(actor.email or "", locked.email):
        raise PermissionDeniedError(
            _("This invitation was sent to another e-mail address. Sign in with the account "
              "of that address."),
            code=OTHER_ADDRESS_CODE,
        )
    organization = locked.organization
    if Membership.objects.filter(user=actor, organization=organization).exists():
        raise ConflictError(
            _("You are already a member of this organisation."), code="already_member"
        )
    Membership.objects.create(
        user=actor, organization=organization,
        role=_CREATOR_ROLE.get(organization.kind, Role.RESEARCHER),
        is_administrator=locked.role == MemberRole.ADMINISTRATOR,
    )
    roles.forget_memberships(actor)
    _answer(locked, status=InvitationStatus.ACCEPTED, actor=actor)
    record_membership_event(
        organization, MembershipAction.INVITATION_ACCEPTED, actor=actor, user=actor,
        email=locked.email, role=locked.role,
    )
    return locked


def _guard_last_administrator(membership: Membership) -> None:
    """409 when `membership` is its organisation's only administrator (caller holds the
    organisation's row lock)."""
    if not membership.is_administrator:
        return
    others = active_memberships().filter(
        organization_id=membership.organization_id, is_administrator=True
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ConflictError(
            _("An organisation needs at least one administrator: make another member an "
              "administrator first."),
            code=LAST_ADMINISTRATOR_CODE,
        )


@transaction.atomic
def member_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Make a member an administrator or a plain member (its organisation's administrators,
    brokers). Setting the role it has changes nothing and records nothing. Raises
    PermissionDeniedError (403), DomainError (400 on ``role``), ConflictError (409
    ``last_administrator``)."""
    roles.require_may_manage_members(actor, membership.organization_id)
    if role not in MemberRole.values:
        raise field_error("role", _("Choose administrator or member."))
    lock_row_by_pk(Organization, membership.organization_id)
    locked = lock_row(membership, related=["organization", "user"])
    if member_role(locked) == role:
        return locked
    if role == MemberRole.MEMBER:
        _guard_last_administrator(locked)
    locked.is_administrator = role == MemberRole.ADMINISTRATOR
    locked.save(update_fields=["is_administrator"])
    if locked.user_id == actor.pk:
        roles.forget_memberships(actor)  # the request's cached administrator rights
    record_membership_event(
        locked.organization, MembershipAction.ROLE_CHANGED, actor=actor, user=locked.user,
        role=role,
    )
    return locked


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member (its organisation's administrators, brokers), or leave (the member
    themself). Raises PermissionDeniedError (403), ConflictError (409
    ``last_administrator``)."""
    leaving = membership.user_id == actor.pk
    if not leaving:
        roles.require_may_manage_members(actor, membership.organization_id)
    lock_row_by_pk(Organization, membership.organization_id)
    locked = lock_row(membership, related=["organization", "user"])
    _guard_last_administrator(locked)
    user = locked.user
    organization = locked.organization
    role = member_role(locked)
    locked.delete()
    if leaving:
        roles.forget_memberships(actor)
    action = MembershipAction.MEMBER_LEFT if leaving else MembershipAction.MEMBER_REMOVED
    record_membership_event(organization, action, actor=actor, user=user, role=role)


def account_deletion_check(*, user: User) -> None:
    """Before `user`'s account is deleted (`accounts.services.delete_account`, in its
    transaction): 409 ``last_administrator`` when `user` is the only active administrator of
    an organisation that has other active members (they would be left with nobody to answer
    join requests and invite; the user makes one of them an administrator first). The
    organisations' rows stay locked until the deletion commits."""
    administered = active_memberships().filter(user=user, is_administrator=True)
    for organization_id in administered.order_by("organization_id").values_list(
        "organization_id", flat=True
    ):
        organization = lock_row_by_pk(Organization, organization_id)
        others = active_memberships().filter(organization_id=organization_id).exclude(user=user)
        if others.exists() and not others.filter(is_administrator=True).exists():
            raise ConflictError(
                _("You are the only administrator of %(organization)s, which has other "
                  "members: make one of them an administrator before deleting your account.")
                % {"organization": organization.legal_name},
                code=LAST_ADMINISTRATOR_CODE,
            )
