"""What the steps of the agreement services check before they write: what a locked agreement
is read with (`SHOWN_WITH`, for `kernel.locking.lock_row`), the actor's parties
(`require_party`), whether the terms may still change (`require_editable`, `signed_conflict`),
and the error of a failed registration check (`registration_check_error`).

Imported by the step modules of `contracts.services`; nothing here is a service of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from contracts.checks import CheckReport
from contracts.choices import AgreementStatus
from contracts.models import Agreement
from contracts.selectors import parties_of
from kernel.errors import ConflictError, DomainError, PermissionDeniedError

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


def registration_check_error(report: CheckReport, message: str) -> DomainError:
    """400 `registration_check_failed`: `fields` maps each blocking finding's field path (e.g.
    ``parties.a.credit_code``) to its messages in the active language."""
    fields: dict[str, list[Any]] = {}
    for finding in report.errors:
        fields.setdefault(finding.field, []).append(finding.message())
    return DomainError(message, code="registration_check_failed", fields=fields)
