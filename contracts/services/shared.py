"""Helpers every step of the agreement services uses: what a row lock reads, the party and
editability checks, per-field errors, saving a version, numbering a new agreement, and
notifying the parties.

Imported by the step modules of `contracts.services`; nothing here is a service of its own.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.checks import CheckReport
from contracts.choices import AgreementStatus
from contracts.models import Agreement, AgreementVersion
from contracts.selectors import parties_of
from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.notification_verbs import Params
from marketplace.notifications import notify
from marketplace.selectors import organization_members

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: What a locked agreement is read with (`lock_row(agreement, related=SHOWN_WITH)`).
SHOWN_WITH = ("party_a", "party_b", "frozen_version", "amends")


def require_party(agreement: Agreement, actor: User) -> list[str]:
    """The actor's parties ("a", "b"); PermissionDeniedError (403) when none."""
    parties = parties_of(agreement, actor)
    if not parties:
        raise PermissionDeniedError(
            _("Only members of the two parties' organisations can do this.")
        )
    return parties


def signed_conflict() -> ConflictError:
    """409 `agreement_signed`: a signed agreement changes only through an amendment."""
    return ConflictError(
        _("This agreement is signed and cannot be changed; start an amendment instead."),
        code="agreement_signed",
    )


def require_editable(agreement: Agreement) -> None:
    """ConflictError (409) `agreement_signed` or `agreement_frozen` unless it is a draft."""
    if agreement.status == AgreementStatus.SIGNED:
        raise signed_conflict()
    if agreement.status != AgreementStatus.DRAFT:
        raise ConflictError(
            _("Both parties approved this version; it is frozen and cannot be changed."),
            code="agreement_frozen",
        )


def notify_parties(
    agreement: Agreement, *, actor: User | None, verb: str, params: Params | None = None
) -> None:
    """Notify the members of both parties except `actor` (None: everyone) with `verb` of
    `marketplace.notification_verbs`; the params name the agreement (id and number) besides
    `params`, and its page is the link."""
    notify(
        users=organization_members(agreement.party_a_id, agreement.party_b_id, exclude=actor),
        verb=verb,
        params={**(params or {}), "agreement": agreement.pk, "number": agreement.number},
    )


def registration_check_error(report: CheckReport, message: str) -> DomainError:
    """400 `registration_check_failed`: `fields` maps each blocking finding's field path (e.g.
    ``parties.a.credit_code``) to its messages in the active language."""
    fields: dict[str, list[Any]] = {}
    for finding in report.errors:
        fields.setdefault(finding.field, []).append(finding.message())
    return DomainError(message, code="registration_check_failed", fields=fields)




def save_version(
    agreement: Agreement, *, number: int, author: User, content: dict[str, Any], note: str
) -> AgreementVersion:
    """Store version `number` of the terms `content` (the sections of `AgreementVersion`)
    with its SHA-256."""
    version = AgreementVersion(
        agreement=agreement, number=number, author=author, note=note, **content
    )
    version.sha256 = version.compute_sha256()
    version.save()
    return version


def create_numbered(**fields: Any) -> Agreement:
    """Create an agreement with `fields` and give it its number, KQ-<year>-<id, 6 digits>
    (year in the site's time zone; a unique placeholder until the id is known)."""
    agreement = Agreement.objects.create(number=f"TMP-{uuid.uuid4().hex[:24]}", **fields)
    agreement.number = f"KQ-{timezone.localdate().year}-{agreement.pk:06d}"
    agreement.save(update_fields=["number"])
    return agreement
