"""Changing agreed terms: new versions of a draft, reopening an approved agreement, amending a
signed one.

- Members of either party edit terms; every edit is a new `AgreementVersion` with its author
  (`agreement_version_create`); a readable diff is in `contracts.diffing`. Approvals of earlier
  versions stop counting.
- Reopening (`agreement_reopen`): both parties approving a version freezes it (status
  APPROVED). If the frozen terms turn out to be wrong before the last signature — a blocking
  registration-check finding that appeared since (a date passed), a typo, a counterparty that
  never signs — either party reopens the agreement instead of being stuck with terms it cannot
  sign. A written contract is formed only when every party has signed it (Civil Code Art.
  490), so until then a signature already given binds nobody and is withdrawn with the
  reopening; the audit trail keeps it. Once every party has signed, only an amendment changes
  the terms.
- A signed agreement cannot be edited (409); `agreement_amend` starts a new draft linked to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.choices import AgreementStatus, EventKind
from contracts.limits import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from contracts.models import Agreement, AgreementVersion
from contracts.services.audit import ClientInfo, agreement_event_record
from contracts.services.content import apply_changes, clean_str
from contracts.services.drafting import create_numbered, save_version
from contracts.services.guards import (
    SHOWN_WITH,
    require_editable,
    require_party,
    signed_conflict,
)
from contracts.services.notifying import notify_parties
from kernel.errors import ConflictError, DomainError
from kernel.locking import copy_locked_fields, lock_row

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERB_EDITED = "agreement.edited"
VERB_REOPENED = "agreement.reopened"


@transaction.atomic
def agreement_version_create(
    *,
    agreement: Agreement,
    actor: User,
    client: ClientInfo,
    changes: dict[str, Any],
    note: str = "",
    base_version: int | None = None,
) -> AgreementVersion:
    """Edit the terms: a new version = the latest version with `changes` merged in.

    `changes` has any of the sections "parties" ({"a"|"b": {field: str}}), "clauses"
    ({clause key: str}), "patent" ({field: str, dates YYYY-MM-DD}), "payment" ({"method",
    "total_cny", "technology_amount_cny", "schedule": [{"due_date", "amount_cny", "note"}],
    "royalty": {"base", "rate_percent", "entry_fee_cny"}}), "validity" ({"valid_from",
    "valid_until", "place"}), "signing" ({"mode", "order"}); each given key replaces the old
    value. Amounts are CNY with at most 2 decimals.

    Who: members of either party (403). Errors: 400 per field (unknown clause, bad amount or
    date), 400 `no_changes` when nothing changes, 409 `stale_version` when `base_version` is not
    the latest, 409 when frozen or signed. Approvals of earlier versions stop counting.
    """
    locked = lock_row(agreement, related=SHOWN_WITH)
    require_party(locked, actor)
    require_editable(locked)
    latest = locked.latest_version()
    assert latest is not None
    if base_version is not None and base_version != latest.number:
        raise ConflictError(
            _("Someone saved a newer version (v%(number)d) in the meantime; reload and edit it.")
            % {"number": latest.number},
            code="stale_version",
        )
    if not isinstance(changes, dict) or not changes:
        raise DomainError(_("Nothing was changed."), code="no_changes")
    content = apply_changes(locked, latest, changes)
    if content == latest.content():
        raise DomainError(_("Nothing was changed."), code="no_changes")
    note = clean_str(note, "note", max_length=NOTE_MAX_LENGTH)
    version = save_version(
        locked, number=latest.number + 1, author=actor, content=content, note=note
    )
    locked.save(update_fields=["updated_at"])
    agreement_event_record(
        agreement=locked,
        kind=EventKind.EDITED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": version.number, "previous": latest.number, "note": note},
    )
    notify_parties(locked, actor=actor, verb=VERB_EDITED, params={"version": version.number})
    copy_locked_fields(locked, agreement)
    return version


def _reopenable_frozen_version(agreement: Agreement) -> AgreementVersion:
    """The frozen version of an approved, not fully signed agreement; 409 `agreement_signed`
    once every party has signed, `not_approved` for a draft."""
    if agreement.status == AgreementStatus.SIGNED:
        raise signed_conflict()
    frozen = agreement.frozen_version
    reopenable = (AgreementStatus.APPROVED, AgreementStatus.SIGNING)
    if agreement.status not in reopenable or frozen is None:
        raise ConflictError(
            _("Only an approved agreement can be reopened; this one is still a draft."),
            code="not_approved",
        )
    return frozen


def _unfreeze(agreement: Agreement) -> list[dict[str, Any]]:
    """Back to DRAFT: remove the signing slots, clear the frozen version, its hash and the
    approval time. Returns the withdrawn signatures ({"party", "signed_at": ISO 8601 UTC})."""
    withdrawn = [
        {"party": signature.party, "signed_at": signature.signed_at.isoformat()}
        for signature in agreement.signatures.filter(signed_at__isnull=False)
        if signature.signed_at is not None
    ]
    agreement.signatures.all().delete()
    agreement.status = AgreementStatus.DRAFT
    agreement.frozen_version = None
    agreement.document_sha256 = ""
    agreement.approved_at = None
    agreement.save(
        update_fields=[
            "status", "frozen_version", "document_sha256", "approved_at", "updated_at"
        ]
    )
    return withdrawn


@transaction.atomic
def agreement_reopen(
    *, agreement: Agreement, actor: User, client: ClientInfo, reason: str = ""
) -> AgreementVersion:
    """Reopen an approved, not yet fully signed agreement to a draft and return the new draft
    version.

    The frozen version stays as it was, with its approvals (history is never rewritten); a new
    version with the same terms is added as the draft to edit and approve again, so both
    parties must approve anew. The signing slots are removed (signatures already given are
    withdrawn: their `signed` events stay in the audit trail, and the `reopened` event lists
    them) and `frozen_version`, `document_sha256` and `approved_at` are cleared. Recorded as a
    `reopened` event with the actor, client, the frozen document's hash, both version numbers,
    the reason and the withdrawn signatures; the other party is notified.

    The new version's note is the reason (empty without one: pages then show "Reopened from
    v<n>" in the reader's language, `selectors.agreement_version_notes`).

    `reason`: optional, at most `limits.REASON_MAX_LENGTH` characters (400). Who: members of
    either party (403). 409 `not_approved` for a draft, `agreement_signed` once every party
    has signed.
    """
    locked = lock_row(agreement, related=SHOWN_WITH)
    require_party(locked, actor)
    frozen = _reopenable_frozen_version(locked)
    note = clean_str(reason, "reason", max_length=REASON_MAX_LENGTH)
    version = save_version(
        locked,
        number=frozen.number + 1,
        author=actor,
        content=frozen.content(),
        note=note,  # without a reason, pages show "Reopened from v<n>" (the reopened event)
    )
    withdrawn = _unfreeze(locked)
    agreement_event_record(
        agreement=locked,
        kind=EventKind.REOPENED,
        actor=actor,
        client=client,
        document_sha256=frozen.sha256,
        details={
            "version": frozen.number,
            "new_version": version.number,
            "reason": note,
            **({"withdrawn_signatures": withdrawn} if withdrawn else {}),
        },
    )
    notify_parties(
        locked,
        actor=actor,
        verb=VERB_REOPENED,
        params={"frozen": frozen.number, "version": version.number},
    )
    copy_locked_fields(locked, agreement)
    return version


@transaction.atomic
def agreement_amend(*, agreement: Agreement, actor: User, client: ClientInfo) -> Agreement:
    """Start an amendment of a signed agreement: a new draft agreement linked to it (`amends`)
    whose version 1 copies the signed terms. The signed agreement itself never changes.

    Who: members of either party (403). 409 `not_signed` for an agreement that is not signed
    (edit it instead), 409 `amendment_open` while another amendment of it is unsigned.
    """
    locked = lock_row(agreement, related=SHOWN_WITH)
    require_party(locked, actor)
    if locked.status != AgreementStatus.SIGNED or locked.frozen_version is None:
        raise ConflictError(
            _("Only a signed agreement can be amended; edit the draft instead."),
            code="not_signed",
        )
    if locked.amendments.exclude(status=AgreementStatus.SIGNED).exists():
        raise ConflictError(
            _("An amendment of this agreement is already in progress."), code="amendment_open"
        )
    amendment = create_numbered(
        contract_type=locked.contract_type,
        subtype=locked.subtype,
        match_request=locked.match_request,
        research_result=locked.research_result,
        party_a=locked.party_a,
        party_b=locked.party_b,
        field=locked.field,
        ip_type=locked.ip_type,
        amends=locked,
        created_by=actor,
    )
    version = save_version(
        amendment,
        number=1,
        author=actor,
        content=locked.frozen_version.content(),
        note=f"amends {locked.number}",
    )
    agreement_event_record(
        agreement=locked,
        kind=EventKind.AMENDED,
        actor=actor,
        client=client,
        document_sha256=locked.document_sha256,
        details={"amendment": amendment.number},
    )
    agreement_event_record(
        agreement=amendment,
        kind=EventKind.CREATED,
        actor=actor,
        client=client,
        document_sha256=version.sha256,
        details={"version": 1, "amends": locked.number},
    )
    return amendment


__all__ = ["agreement_amend", "agreement_reopen", "agreement_version_create"]
