"""Reopening an approved agreement that not every party has signed yet, to a draft.

Both parties approving a version freezes it (status APPROVED). If the frozen terms turn out to
be wrong before the last signature — a blocking registration-check finding that appeared since
(a date passed), a typo, a counterparty that never signs — either party reopens the agreement
instead of being stuck with terms it cannot sign (`agreement_reopen`). A written contract is
formed only when every party has signed it (Civil Code Art. 490), so until then a signature
already given binds nobody and is withdrawn with the reopening; the audit trail keeps it. Once
every party has signed, only an amendment changes the terms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from contracts.audit import ClientInfo
from contracts.choices import AgreementStatus, EventKind
from contracts.limits import REASON_MAX_LENGTH
from contracts.models import Agreement, AgreementVersion
from contracts.services import (
    _clean_str,
    _copy_state,
    _notify_parties,
    _require_party,
    _save_version,
    agreement_event_record,
)
from marketplace.errors import ConflictError

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERB_REOPENED = "agreement.reopened"


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
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("party_a", "party_b", "frozen_version", "amends")
        .get(pk=agreement.pk)
    )
    _require_party(locked, actor)
    if locked.status == AgreementStatus.SIGNED:
        raise ConflictError(
            _("This agreement is signed and cannot be changed; start an amendment instead."),
            code="agreement_signed",
        )
    frozen = locked.frozen_version
    reopenable = (AgreementStatus.APPROVED, AgreementStatus.SIGNING)
    if locked.status not in reopenable or frozen is None:
        raise ConflictError(
            _("Only an approved agreement can be reopened; this one is still a draft."),
            code="not_approved",
        )
    note = _clean_str(reason, "reason", max_length=REASON_MAX_LENGTH)
    version = _save_version(
        locked,
        number=frozen.number + 1,
        author=actor,
        content=frozen.content(),
        note=note,  # without a reason, pages show "Reopened from v<n>" (the reopened event)
    )
    withdrawn = [
        {"party": signature.party, "signed_at": signature.signed_at.isoformat()}
        for signature in locked.signatures.filter(signed_at__isnull=False)
        if signature.signed_at is not None
    ]
    locked.signatures.all().delete()
    locked.status = AgreementStatus.DRAFT
    locked.frozen_version = None
    locked.document_sha256 = ""
    locked.approved_at = None
    locked.save(
        update_fields=[
            "status", "frozen_version", "document_sha256", "approved_at", "updated_at"
        ]
    )
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
    _notify_parties(
        locked,
        actor=actor,
        verb=VERB_REOPENED,
        message_zh=f"合同 {locked.number} 的 v{frozen.number} 已退回修改，新草稿为 "
        f"v{version.number}，需双方重新确认。",
        message_en=f"v{frozen.number} of agreement {locked.number} was reopened for changes; "
        f"the new draft v{version.number} needs both parties' approval again.",
    )
    _copy_state(locked, agreement)
    return version


__all__ = ["agreement_reopen"]
