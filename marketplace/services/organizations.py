"""Writes of organisations: create, update, evidence, verify and reject (brokers).

Verification (`marketplace.choices.VerificationStatus`)::

    created by one of its people: pending --verify (broker)--> verified
                                     |  ^                          |
                      reject (broker,|  |edit by a member          |withdraw (broker), or a
                           reason)   v  |                          v  member changes its name,
                                   rejected                     pending  code or type

Organisations created by brokers (and imported ones) start `unreviewed`; a broker may verify
them too. Every decision is recorded (`OrganizationDecision`: who, when, what, why) and the
organisation's members are told (verbs ``organization.verified`` / ``organization.rejected``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kernel.errors import PermissionDeniedError, field_error
from kernel.locking import copy_locked_fields, lock_row
from marketplace import roles
from marketplace.choices import (
    OrganizationKind,
    Role,
    VerificationDecision,
    VerificationStatus,
)
from marketplace.models import (
    Membership,
    Organization,
    OrganizationDecision,
    OrganizationEvidence,
)
from marketplace.notifications import notify
from marketplace.organizations.evidence import save_with_upload
from marketplace.selectors import organization_members
from marketplace.services.common import (
    _CREATOR_ROLE,
    ORGANIZATION_FIELDS,
    _brokers,
    _check_credit_code_unique,
    _check_unknown,
    _clean_organization_data,
    _full_clean,
    _save_organization,
)
from marketplace.validators import validate_visible_text

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Longest reason of a rejection, in characters.
REASON_MAX_CHARS = 2000


def _clean_text(
    text: str | None, *, field: str, max_chars: int, missing: str | Promise | None = None
) -> str:
    """`text` stripped, or a `DomainError` on `field`: when it is empty and `missing` (the
    message) is given, or longer than `max_chars` characters. The one check of the free texts
    of join requests, claims and rejections; invisible or control characters are refused
    (`validate_visible_text`), as in the organisations' own texts."""
    text = (text or "").strip()
    if missing is not None and not text:
        raise field_error(field, missing)
    if len(text) > max_chars:
        raise field_error(field, _("At most %(n)d characters.") % {"n": max_chars})
    try:
        validate_visible_text(text)
    except ValidationError as exc:
        raise field_error(field, exc.messages[0]) from None
    return text


def organization_params(organization: Organization) -> dict[str, str | int]:
    """Notification parameters naming an organisation (`marketplace.notification_verbs`)."""
    return {"organization": organization.pk, "name": organization.legal_name}


@transaction.atomic
def organization_create(*, actor: User, data: Mapping[str, Any]) -> Organization:
    """Create an organisation from `data` (keys: `ORGANIZATION_FIELDS`; `kind` and
    `legal_name` required).

    Any signed-in user may create a university, research institute, association or enterprise
    and becomes its member (researcher, or enterprise member for an enterprise) and its first
    administrator; it starts `pending` verification and the brokers are told
    (``organization.submitted``). Only brokers create transfer centres; a broker creating an
    organisation does not become its member and it starts `unreviewed`.
    `verified` is never set here (see `organization_verify`). A `credit_code` already used by
    another organisation is a `DomainError` on `credit_code`.
    """
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in to create an organisation."))
    _check_unknown(data, ORGANIZATION_FIELDS)
    is_broker = roles.is_broker(actor)
    kind = data.get("kind", "")
    if not is_broker and kind == OrganizationKind.TRANSFER_CENTRE:
        raise PermissionDeniedError(_("Only brokers can register a transfer centre."))
    organization = Organization(**_clean_organization_data(data))
    if not is_broker:
        organization.verification_status = VerificationStatus.PENDING
    errors: dict[str, list[str | Promise]] = {}
    _check_credit_code_unique(organization, errors)
    _full_clean(organization, errors)
    _save_organization(organization)
    if not is_broker:
        Membership.objects.create(
            user=actor,
            organization=organization,
            role=_CREATOR_ROLE.get(kind, Role.RESEARCHER),
            is_administrator=True,
        )
        roles.forget_memberships(actor)
        notify(
            users=_brokers(), verb="organization.submitted",
            params=organization_params(organization),
        )
    return organization


#: The fields a verification vouches for: a member who changes one of them sends a verified
#: organisation back to review (a broker checked these against the evidence, not the others).
IDENTITY_FIELDS = ("kind", "legal_name", "name_en", "credit_code")


def _verification_stands(organization: Organization) -> bool:
    """Whether a broker's decision covers the organisation's identity as stored: it is
    verified, or pending after a decision (a withdrawn verification, a resubmission)."""
    if organization.verification_status == VerificationStatus.VERIFIED:  # `verified` follows
        return True
    return (
        organization.verification_status == VerificationStatus.PENDING
        and OrganizationDecision.objects.filter(organization=organization).exists()
    )


def _record_identity_change(
    organization: Organization, *, actor: User, changed: list[str]
) -> None:
    """Record that a member changed what the last decision vouched for: the verification is
    withdrawn (the audit trail names who changed which fields)."""
    labels = ", ".join(
        str(getattr(Organization._meta.get_field(name), "verbose_name", name))
        for name in changed
    )
    OrganizationDecision.objects.create(
        organization=organization, decision=VerificationDecision.WITHDRAWN,
        reason=str(_("Changed by a member: %(fields)s.") % {"fields": labels}),
        decided_by=actor,
    )


@transaction.atomic
def organization_update(
    *, organization: Organization, actor: User, data: Mapping[str, Any]
) -> Organization:
    """Change an organisation's details (its administrators or brokers, as on its edit page).

    `data` keys: `ORGANIZATION_FIELDS`; only brokers may change `kind`. A member's change to a
    `rejected` organisation asks for verification again (`pending`, brokers told). A member's
    change to an `IDENTITY_FIELDS` field of a verified organisation (or of a pending one a
    broker decided about) sends it back to `pending`, unverified, records the withdrawal
    (`OrganizationDecision`) and tells the brokers; address, website and contacts do not. Raises
    `PermissionDeniedError` or `DomainError` (per-field messages; a `credit_code` used by another
    organisation is an error on `credit_code`).
    """
    is_broker = roles.is_broker(actor)
    if not roles.may_manage_members(actor, organization):
        raise PermissionDeniedError(
            _("Only the organisation's administrators or brokers can change its details.")
        )
    _check_unknown(data, ORGANIZATION_FIELDS)
    if "kind" in data and data["kind"] != organization.kind and not is_broker:
        raise PermissionDeniedError(_("Only brokers can change the type of an organisation."))
    before = {name: getattr(organization, name) for name in IDENTITY_FIELDS}
    for name, value in _clean_organization_data(data).items():
        setattr(organization, name, value)
    changed = [name for name in IDENTITY_FIELDS if getattr(organization, name) != before[name]]
    resubmitted = not is_broker and (
        organization.verification_status == VerificationStatus.REJECTED
        or (changed and _verification_stands(organization))
    )
    if resubmitted:
        organization.verification_status = VerificationStatus.PENDING
        organization.verified = False
    errors: dict[str, list[str | Promise]] = {}
    _check_credit_code_unique(organization, errors)
    _full_clean(organization, errors)
    _save_organization(organization)
    if resubmitted and changed:
        _record_identity_change(organization, actor=actor, changed=changed)
    if resubmitted:
        notify(
            users=_brokers(), verb="organization.submitted",
            params=organization_params(organization),
        )
    return organization


def _decide(
    organization: Organization, *, actor: User, decision: str, status: str, reason: str = ""
) -> Organization:
    """Record a broker's `decision`, move the organisation to `status` (the badge follows)."""
    locked = lock_row(organization)
    locked.verification_status = status
    locked.verified = status == VerificationStatus.VERIFIED
    locked.save(update_fields=["verification_status", "verified"])
    OrganizationDecision.objects.create(
        organization=locked, decision=decision, reason=reason, decided_by=actor
    )
    copy_locked_fields(locked, organization, fields=["verification_status", "verified"])
    return organization


@transaction.atomic
def organization_verify(
    *, organization: Organization, actor: User, verified: bool = True
) -> Organization:
    """Set or clear the `verified` badge (brokers and admins only).

    Verifying lets the members publish and send requests, and tells them
    (``organization.verified``). Clearing it (withdrawing a verification) sends a verified
    organisation back to `pending`. Each call is recorded as an `OrganizationDecision`.
    """
    roles.require_broker(actor, _("Only brokers can verify organisations."))
    if verified:
        _decide(
            organization, actor=actor,
            decision=VerificationDecision.VERIFIED, status=VerificationStatus.VERIFIED,
        )
        notify(
            users=organization_members(organization, exclude=actor),
            verb="organization.verified",
            params=organization_params(organization),
        )
        return organization
    status = organization.verification_status
    if status == VerificationStatus.VERIFIED:
        status = VerificationStatus.PENDING
    return _decide(
        organization, actor=actor, decision=VerificationDecision.WITHDRAWN, status=status
    )


@transaction.atomic
def organization_reject(*, organization: Organization, actor: User, reason: str) -> Organization:
    """Refuse to verify `organization` (brokers only), with a `reason` (required, at most
    `REASON_MAX_CHARS`; a `DomainError` on ``reason`` otherwise). Its members are told
    (``organization.rejected``) and may correct its details to ask again."""
    roles.require_broker(actor, _("Only brokers can verify organisations."))
    reason = _clean_text(
        reason, field="reason", max_chars=REASON_MAX_CHARS,
        missing=_("Give a reason for the rejection."),
    )
    _decide(
        organization, actor=actor, decision=VerificationDecision.REJECTED,
        status=VerificationStatus.REJECTED, reason=reason,
    )
    notify(
        users=organization_members(organization, exclude=actor),
        verb="organization.rejected",
        params={**organization_params(organization), "reason": reason},
    )
    return organization


@transaction.atomic
def organization_evidence_add(
    *, organization: Organization, actor: User, upload: UploadedFile
) -> OrganizationEvidence:
    """Keep `upload` (a business licence: PDF, PNG or JPEG, checked by its content and size,
    `marketplace.organizations.evidence`) as private evidence of `organization` (its members
    and brokers). Raises `PermissionDeniedError` or a `DomainError` on ``file``."""
    if not (roles.is_broker(actor) or roles.is_member(actor, organization)):
        raise PermissionDeniedError(
            _("Only members of this organisation or brokers can add evidence.")
        )
    evidence = OrganizationEvidence(organization=organization, uploaded_by=actor)
    save_with_upload(evidence, upload)
    return evidence
