"""Approval (freezing) and the registration check.

Both parties approve the latest version (`agreement_approve`); approval is refused (400
`registration_check_failed`, the blocking findings per field) while the registration check
(`contracts.checks`) finds blocking errors. The second approval freezes the version: its
canonical JSON's SHA-256 becomes `Agreement.document_sha256` and the signing slots are created
in the version's signing order. Any edit or approval after that is a 409; either party may
reopen an approved, unsigned agreement to a draft (`contracts.services.amendments`).

`agreement_check` runs the registration check and records it (a repeat of the last recorded
check of an unchanged version is not recorded again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.checks import CheckReport, check_agreement
from contracts.choices import AgreementStatus, EventKind, Party, SigningMode
from contracts.models import Agreement, AgreementApproval, AgreementSignature, AgreementVersion
from contracts.selectors import parties_of
from contracts.services.audit import ClientInfo, agreement_event_record
from contracts.services.guards import (
    SHOWN_WITH,
    registration_check_error,
    require_editable,
    require_party,
)
from contracts.services.notifying import notify_parties
from kernel.errors import ConflictError, PermissionDeniedError
from kernel.locking import copy_locked_fields, lock_row
from marketplace import roles

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERB_APPROVED = "agreement.approved"
VERB_FROZEN = "agreement.frozen"


def _create_signature_slots(agreement: Agreement, version: AgreementVersion) -> None:
    signing = version.signing or {}
    order = signing.get("order") or ["a", "b"]
    sequential = signing.get("mode", SigningMode.SEQUENTIAL) == SigningMode.SEQUENTIAL
    for index, party in enumerate(order, start=1):
        AgreementSignature.objects.create(
            agreement=agreement,
            party=party,
            organization=agreement.organization_for(party),
            position=index if sequential else 1,
        )


def _latest_to_approve(agreement: Agreement, version_number: int | None) -> AgreementVersion:
    """The latest version; 409 `stale_version` when `version_number` is given and older."""
    version = agreement.latest_version()
    assert version is not None
    if version_number is not None and version_number != version.number:
        raise ConflictError(
            _("Version v%(number)d is not the latest; review the latest version first.")
            % {"number": version_number},
            code="stale_version",
        )
    return version


def _freeze(agreement: Agreement, version: AgreementVersion) -> None:
    """Status APPROVED with `version` frozen (its hash is the document's) and signing slots."""
    agreement.status = AgreementStatus.APPROVED
    agreement.frozen_version = version
    agreement.document_sha256 = version.sha256
    agreement.approved_at = timezone.now()
    agreement.save(
        update_fields=["status", "frozen_version", "document_sha256", "approved_at", "updated_at"]
    )
    _create_signature_slots(agreement, version)


def _notify_approval(
    agreement: Agreement, *, actor: User, version: AgreementVersion, frozen: bool
) -> None:
    notify_parties(
        agreement,
        actor=actor,
        verb=VERB_FROZEN if frozen else VERB_APPROVED,
        params={"version": version.number},
    )


@transaction.atomic
def agreement_approve(
    *,
    agreement: Agreement,
    actor: User,
    client: ClientInfo,
    version_number: int | None = None,
) -> Agreement:
    """Approve the latest version for the actor's party. When both parties have approved the
    same version it is frozen: `frozen_version`, `document_sha256`, status APPROVED, and the
    signing slots are created.

    `version_number`, when given, must be the latest version (409 `stale_version`: the
    approver must have seen what they approve). Who: members of either party (403). A member of
    both organisations approves for both. 409 when frozen/signed or already approved by the
    party.
    """
    locked = lock_row(agreement, related=SHOWN_WITH)
    parties = require_party(locked, actor)
    require_editable(locked)
    version = _latest_to_approve(locked, version_number)
    approved = set(version.approvals.values_list("party", flat=True))
    pending = [p for p in parties if p not in approved]
    if not pending:
        raise ConflictError(
            _("Your party has already approved this version."), code="already_approved"
        )
    report = check_agreement(agreement=locked, version=version)
    if not report.ok:
        raise registration_check_error(
            report, _("The registration check found blocking errors; fix them before approving.")
        )
    for party in pending:
        AgreementApproval.objects.create(
            agreement=locked, version=version, party=party, user=actor
        )
    approved.update(pending)
    frozen = approved >= {Party.A.value, Party.B.value}
    if frozen:
        _freeze(locked, version)
    agreement_event_record(
        agreement=locked,
        kind=EventKind.APPROVED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": version.number, "parties": pending, "frozen": frozen},
    )
    _notify_approval(locked, actor=actor, version=version, frozen=frozen)
    copy_locked_fields(locked, agreement)
    return agreement


@transaction.atomic
def agreement_check(*, agreement: Agreement, actor: User, client: ClientInfo) -> CheckReport:
    """Run the registration check on the frozen version (or the latest draft version) and record
    it in the audit trail with the codes found. Who: party members and brokers (403)."""
    if not (parties_of(agreement, actor) or roles.is_broker(actor)):
        raise PermissionDeniedError(_("Only the parties and brokers can run the check."))
    version = agreement.frozen_version or agreement.latest_version()
    report = check_agreement(agreement=agreement, version=version)
    details = {
        "version": version.number if version else None,
        "errors": sorted({f.code for f in report.errors}),
        "warnings": sorted({f.code for f in report.warnings}),
    }
    last = agreement.events.order_by("-created_at", "-id").first()
    if last is not None and last.kind == EventKind.CHECKED and last.details == details:
        # The same result for the same version was the last thing recorded: recording it again
        # would only lengthen the audit trail printed in the sealed PDF.
        return report
    agreement_event_record(
        agreement=agreement,
        kind=EventKind.CHECKED,
        actor=actor,
        client=client,
        document_sha256=version.sha256 if version else "",
        details=details,
    )
    return report


__all__ = ["agreement_approve", "agreement_check"]
