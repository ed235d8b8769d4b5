"""The SIGNED → SEALED step: render the final PDF, seal it (PAdES, `contracts.seal`) and store
it — after the signing transaction has committed, never inside it.

Life cycle: the last signature moves an agreement to status SIGNED
(`contracts.services.signing.agreement_sign`) and schedules `agreement_seal` with
`transaction.on_commit`. An agreement is sealed when `sealed_at` is set (with `sealed_pdf` and
`sealed_pdf_sha256`); until then it is "signed, seal pending" (`is_seal_pending`).
`manage.py seal_agreements` (the worker) retries every pending agreement whose back-off has run
out (`agreement_seal_pending`).

One attempt (`agreement_seal`):

1. Claim: one conditional UPDATE takes a lease on the agreement (`seal_next_attempt_at` moves
   past the render's time limit and `seal_attempts` counts up) only if it is SIGNED, not sealed
   and not leased or backing off. Two workers never render the same agreement at once, and no
   row lock is held.
2. Render outside any transaction, in a child process stopped after
   `settings.PDF_RENDER_TIMEOUT` seconds (`kernel.pdf.process`): the signing record (signers,
   certificate of completion, audit trail), and the signing preview if it is not stored yet.
   Then seal in-process: the preview stays the first revision, byte for byte; the record's
   pages, the metadata and the seal are one incremental update after it.
3. Store in a short transaction: lock the row, store the sealed bytes unless someone else
   already did, record the `sealed` event, clear the retry state, notify both parties.

A failed attempt (time limit, render or seal error) is logged with its cause, stored in
`seal_error` (first 500 characters) and retried after an exponential back-off:
`SEAL_RETRY_BASE_SECONDS` × 2^(attempts − 1), at most `SEAL_RETRY_MAX_SECONDS`. Failures are not
audit events (the audit trail is part of the sealed document and must stay bounded).

`agreement_pdf_download` hands out the sealed PDF and records the download.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import AgreementStatus, EventKind
from contracts.models import Agreement
from contracts.services.audit import SYSTEM, ClientInfo, agreement_event_record
from contracts.services.notifying import notify_parties
from kernel.backoff import retry_delay as backoff_delay
from kernel.errors import ConflictError
from kernel.locking import lock_row_by_pk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

PDF_TEMPLATE = "contracts/pdf/agreement.html"
#: The signing record appended to the signing preview when sealing.
RECORD_TEMPLATE = "contracts/pdf/signing_record.html"
SEAL_LOCATION = "科桥 Keqiao"
SEAL_RETRY_BASE_SECONDS = 30
SEAL_RETRY_MAX_SECONDS = 3600
#: Seconds a claim outlives the render's time limit (time to seal and store).
LEASE_MARGIN_SECONDS = 60
VERB_COMPLETED = "agreement.completed"


@dataclass(frozen=True)
class SealOutcome:
    """What one attempt did: `sealed` (stored now), `skipped` (already sealed, not SIGNED, or
    claimed/backing off elsewhere) or `failed` (with `error`)."""

    agreement_id: int
    result: str
    error: str = ""


def is_seal_pending(agreement: Agreement) -> bool:
    """True for a SIGNED agreement whose sealed PDF is not stored yet."""
    return agreement.status == AgreementStatus.SIGNED and agreement.sealed_at is None


def render_timeout() -> float:
    """The hard time limit of one render, in seconds (`settings.PDF_RENDER_TIMEOUT`)."""
    return float(getattr(settings, "PDF_RENDER_TIMEOUT", 60.0))


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failed attempt (1-based), no jitter: see
    `kernel.backoff.retry_delay`."""
    return backoff_delay(
        attempts, base_seconds=SEAL_RETRY_BASE_SECONDS, max_seconds=SEAL_RETRY_MAX_SECONDS
    )


def _claim(agreement_id: int, *, ignore_backoff: bool) -> bool:
    now = timezone.now()
    due = Q(seal_next_attempt_at__isnull=True) | Q(seal_next_attempt_at__lte=now)
    if ignore_backoff:
        # A lease still running (a render in progress) is respected; a back-off is not.
        due |= Q(seal_attempts__gt=0, seal_error__gt="")
    lease = timedelta(seconds=render_timeout() + LEASE_MARGIN_SECONDS)
    claimed = (
        Agreement.objects.filter(
            due, pk=agreement_id, status=AgreementStatus.SIGNED, sealed_at__isnull=True
        ).update(
            seal_next_attempt_at=now + lease,
            seal_attempts=F("seal_attempts") + 1,
            seal_error="",
        )
    )
    return claimed == 1


def _render_and_seal(agreement: Agreement) -> tuple[bytes, bytes]:
    """(signing preview, sealed) PDF bytes. The sealed PDF is the signing preview every
    signer approved (`contracts.services.preview`) as its first revision, byte for byte, plus
    one incremental update holding the signing record's pages, the metadata and the seal.
    Reads the database, then renders in child processes."""
    from contracts.seal import seal_pdf
    from contracts.selectors import agreement_pdf_context
    from contracts.services.preview import agreement_preview
    from contracts.verification.report import seal_metadata
    from kernel.pdf.process import render_pdf_with_time_limit

    preview = agreement_preview(agreement=agreement)
    context = agreement_pdf_context(agreement=agreement)
    record = render_pdf_with_time_limit(
        template_name=RECORD_TEMPLATE, context=context, timeout=render_timeout()
    )
    sealed = seal_pdf(
        preview.pdf,
        reason=f"科桥技术合同 {agreement.number} 双方签署完成 / signed by both parties",
        location=SEAL_LOCATION,
        metadata={**seal_metadata(agreement), "preview_sha256": preview.sha256,
                  "preview_bytes": len(preview.pdf)},
        appendix=record,
    )
    return preview.pdf, sealed


def _fail(agreement_id: int, error: BaseException) -> SealOutcome:
    message = f"{type(error).__name__}: {error}"[:500]
    attempts = (
        Agreement.objects.filter(pk=agreement_id).values_list("seal_attempts", flat=True).first()
        or 1
    )
    Agreement.objects.filter(pk=agreement_id, sealed_at__isnull=True).update(
        seal_error=message, seal_next_attempt_at=timezone.now() + retry_delay(attempts)
    )
    logger.warning(
        "sealing agreement %s failed (attempt %s, retried later): %s",
        agreement_id,
        attempts,
        message,
        exc_info=not isinstance(error, TimeoutError),
    )
    return SealOutcome(agreement_id, "failed", message)


@transaction.atomic
def _store(
    agreement_id: int, *, unsealed: bytes, sealed: bytes, client: ClientInfo
) -> Agreement | None:
    locked = lock_row_by_pk(Agreement, agreement_id)
    if locked.sealed_at is not None or locked.status != AgreementStatus.SIGNED:
        return None
    locked.sealed_pdf = sealed
    locked.sealed_pdf_sha256 = hashlib.sha256(sealed).hexdigest()
    locked.sealed_at = timezone.now()
    locked.seal_error = ""
    locked.seal_next_attempt_at = None
    locked.save(
        update_fields=[
            "sealed_pdf",
            "sealed_pdf_sha256",
            "sealed_at",
            "seal_error",
            "seal_next_attempt_at",
            "updated_at",
        ]
    )
    agreement_event_record(
        agreement=locked,
        kind=EventKind.SEALED,
        actor=None,
        client=client,
        document_sha256=locked.sealed_pdf_sha256,
        details={
            "signed_document_sha256": locked.document_sha256,
            "unsealed_pdf_sha256": hashlib.sha256(unsealed).hexdigest(),
            "bytes": len(sealed),
        },
    )
    transaction.on_commit(lambda: _notify_sealed(locked), robust=True)
    return locked


def _notify_sealed(agreement: Agreement) -> None:
    notify_parties(agreement, actor=None, verb=VERB_COMPLETED)


def agreement_seal(
    *, agreement_id: int, client: ClientInfo = SYSTEM, ignore_backoff: bool = False
) -> SealOutcome:
    """One attempt of the SIGNED → SEALED step for one agreement (see the module docstring).

    Call it after the signing transaction has committed (`agreement_seal_after_commit`, the
    worker), never inside a transaction: it renders for up to `settings.PDF_RENDER_TIMEOUT`
    seconds and must not hold locks meanwhile. Never raises for a failed render or seal: the
    outcome says `failed` and the agreement is retried later. `ignore_backoff` also takes an
    agreement that is waiting for its back-off (not one whose render is running).
    """
    if not _claim(agreement_id, ignore_backoff=ignore_backoff):
        return SealOutcome(agreement_id, "skipped")
    agreement = Agreement.objects.select_related(
        "party_a", "party_b", "frozen_version", "amends"
    ).get(pk=agreement_id)
    try:
        unsealed, sealed = _render_and_seal(agreement)
    except Exception as exc:  # a failed attempt is recorded and retried, never raised
        return _fail(agreement_id, exc)
    stored = _store(agreement_id, unsealed=unsealed, sealed=sealed, client=client)
    return SealOutcome(agreement_id, "sealed" if stored is not None else "skipped")


def agreement_seal_after_commit(*, agreement_id: int, client: ClientInfo) -> None:
    """Schedule `agreement_seal` for when the current transaction commits (robust: a failure
    is logged and left to the worker, it never fails the request that signed)."""
    transaction.on_commit(
        lambda: agreement_seal(agreement_id=agreement_id, client=client), robust=True
    )


def agreement_seal_pending(
    *,
    limit: int = 100,
    ignore_backoff: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> list[SealOutcome]:
    """One pass of the worker: try to seal up to `limit` pending agreements (oldest signature
    first) whose back-off has run out. `should_stop()` (optional) is checked between
    agreements."""
    now = timezone.now()
    pending = Agreement.objects.filter(status=AgreementStatus.SIGNED, sealed_at__isnull=True)
    if not ignore_backoff:
        pending = pending.filter(
            Q(seal_next_attempt_at__isnull=True) | Q(seal_next_attempt_at__lte=now)
        )
    outcomes = []
    for agreement_id in pending.order_by("signed_at", "id").values_list("pk", flat=True)[:limit]:
        if should_stop is not None and should_stop():
            break
        outcomes.append(agreement_seal(agreement_id=agreement_id, ignore_backoff=ignore_backoff))
    return outcomes


def seal_pending_count() -> int:
    """Agreements signed by both parties whose sealed PDF is not stored yet."""
    return Agreement.objects.filter(status=AgreementStatus.SIGNED, sealed_at__isnull=True).count()


@transaction.atomic
def agreement_pdf_download(*, agreement: Agreement, actor: User, client: ClientInfo) -> bytes:
    """The sealed PDF bytes, recording a `downloaded` event. The caller has already applied
    visibility (`contracts.selectors.agreement_get`: parties and brokers, others 404). Raises
    ConflictError `seal_pending` (409) while it is signed but not sealed yet, Http404 while it
    is not signed."""
    if not agreement.sealed_pdf:
        if agreement.status == AgreementStatus.SIGNED:
            raise ConflictError(
                _("Both parties signed; the sealed PDF is being prepared. Try again shortly."),
                code="seal_pending",
            )
        raise Http404("no sealed PDF")
    data = bytes(agreement.sealed_pdf)
    agreement_event_record(
        agreement=agreement,
        kind=EventKind.DOWNLOADED,
        actor=actor,
        client=client,
        document_sha256=agreement.sealed_pdf_sha256,
    )
    return data


__all__ = [
    "SealOutcome",
    "agreement_pdf_download",
    "agreement_seal",
    "agreement_seal_after_commit",
    "agreement_seal_pending",
    "is_seal_pending",
    "retry_delay",
    "seal_pending_count",
]
