"""Zero-loss sync of listing changes to the search backends (the transactional outbox).

How a listing change reaches the index:

1. `record_listing_change` (called by `matching.signals` from post_save/post_delete, i.e. inside
   the caller's transaction) writes a `SearchOutbox` row in the same database transaction as the
   change: a committed change always has its row, a rolled-back one never does.
2. After the commit the fast path (`sync_outbox_rows`) applies the change to every configured
   backend at once and deletes the row. If a backend is down the row stays (with `last_error`).
3. `drain_outbox` (run by `manage.py search_sync`) applies whatever is left, in bulk, with
   retries and exponential backoff plus jitter (`next_attempt_at`). A row is deleted only
   after every backend accepted its listing's state.

What is sent is always the listing's committed state at the time of the sync, never the state
recorded at change time: rows of one listing collapse into one document (or one deletion when
the listing is gone), and `op` is informative. Re-sending is harmless (backends are idempotent).

Ordering (why an older state cannot win): a sync reads the state, sends it, then reads the
state again. If it changed meanwhile, the rows are kept (due at once) instead of deleted, so
the newer state is sent later; if it did not change, any newer change commits after the
second read and its own sync reads and sends after ours has completed.

Rebuilds (`update_index`) do NOT delete outbox rows, although a full rebuild reads every
change committed before it started: a sync of the same listing may be in flight (it read the
state before the rebuild and sends it after the alias swap). Its second read then sees the
newer state and keeps its row so the worker repairs the index; had the rebuild deleted that
row, the older state would stay. Instead, take `outbox_snapshot()` before the rebuild reads
any listing and, after every configured backend was rebuilt, `outbox_release(ids)`: those rows
become due at once (no backoff wait), and the worker's re-send of the current state is cheap
and idempotent.

Settings (optional): SEARCH_SYNC_RETRY_BASE_SECONDS (default 2), SEARCH_SYNC_RETRY_MAX_SECONDS
(default 300): the n-th failed attempt waits min(max, base * 2**(n-1)) seconds times a random
factor in [0.5, 1.0] ("equal jitter", so many workers do not retry in step).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from kernel.backoff import retry_delay as backoff_delay
from matching.models import SearchOutbox, SearchOutboxOp
from matching.search import backend_names as configured_backend_names
from matching.search import get_search_backend
from matching.search.backends.base import KINDS, IndexDocument, ListingKind, SearchUnavailable
from matching.search.documents import document_for, model_for
from matching.semantic.store import refresh_vectors

logger = logging.getLogger(__name__)

Key = tuple[ListingKind, int]


def _key(kind: str, object_id: int) -> Key:
    """The key of an outbox row (its `kind` column holds only "result" or "need")."""
    return (cast("ListingKind", kind), int(object_id))


#: The state a backend should hold for a listing: its document, or None (remove it).
State = dict[Key, IndexDocument | None]

MAX_ERROR_LENGTH = 2000


@dataclass
class SyncReport:
    """What one `drain_outbox` (or fast-path) call did.

    `rows`: outbox rows taken into account (due rows plus rows of the same listings);
    `listings`: distinct listings synced; `indexed`/`deleted`: listings sent as documents /
    as deletions (per listing, not per backend); `done`: rows deleted because every backend
    accepted the change; `failed`: rows rescheduled with backoff; `requeued`: rows kept
    because their listing changed during the sync (due again at once); `errors`: one message
    per failure (backend name and cause); `remaining`: rows left in the outbox afterwards.
    """

    rows: int = 0
    listings: int = 0
    indexed: int = 0
    deleted: int = 0
    done: int = 0
    failed: int = 0
    requeued: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)
    remaining: int | None = None

    def merge(self, other: SyncReport) -> None:
        for name in ("rows", "listings", "indexed", "deleted", "done", "failed", "requeued"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.batches += other.batches
        self.errors.extend(other.errors)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows, {self.listings} listings ({self.indexed} indexed, "
            f"{self.deleted} deleted): {self.done} done, {self.failed} failed, "
            f"{self.requeued} requeued"
            + ("" if self.remaining is None else f"; {self.remaining} left in the outbox")
        )


# --- writing rows (inside the caller's transaction) -------------------------------------------
def record_listing_change(
    *, kind: ListingKind, object_ids: Sequence[int], op: str, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """Write one outbox row per listing on database `using`, in the current transaction.

    `op` is "index" (saved) or "delete" (deleted). Returns the new rows' ids (for the fast
    path). Raises whatever the database raises: the caller's write then fails with it, which is
    what makes the outbox lossless.
    """
    if op not in SearchOutboxOp.values:
        raise ValueError(f"Unknown outbox op {op!r}")
    now = timezone.now()
    rows = [
        SearchOutbox(kind=kind, object_id=object_id, op=op, created_at=now, next_attempt_at=now)
        for object_id in object_ids
    ]
    if len(rows) == 1:
        rows[0].save(using=using)
    else:
        # SQLite and PostgreSQL return the new primary keys from bulk_create.
        rows = SearchOutbox.objects.using(using).bulk_create(rows, batch_size=500)
    return [row.pk for row in rows]


# --- reading the state and sending it ---------------------------------------------------------
def current_state(keys: Iterable[Key], *, using: str = DEFAULT_DB_ALIAS) -> State:
    """The committed state of each listing: its IndexDocument (searchable or not), or None when
    the listing no longer exists. One query per kind, owners joined."""
    wanted: dict[ListingKind, set[int]] = {kind: set() for kind in KINDS}
    for kind, object_id in keys:
        wanted[kind].add(int(object_id))
    state: State = {}
    for kind, ids in wanted.items():
        if not ids:
            continue
        listings = model_for(kind).objects.using(using).select_related("owner").filter(pk__in=ids)
        # Every change refreshes the listing's vector when its text changed
        # (matching.semantic.store); the documents carry it to backends that index vectors.
        documents = refresh_vectors([document_for(listing) for listing in listings], using=using)
        found = {document.object_id: document for document in documents}
        for object_id in ids:
            state[(kind, object_id)] = found.get(object_id)
    return state


def apply_state(backend_name: str, state: State) -> None:
    """Send `state` to one backend in bulk: documents through `index` (unsearchable ones are
    removed by the backend), missing listings through `delete`, one call per kind. Raises
    SearchUnavailable (service down) or whatever the backend raises for a rejected change."""
    backend = get_search_backend(backend_name)
    documents = [document for document in state.values() if document is not None]
    if documents:
        backend.index(documents)
    for kind in KINDS:
        gone = [object_id for (k, object_id), doc in state.items() if k == kind and doc is None]
        if gone:
            backend.delete(kind, gone)


def _error_text(backend_name: str, exc: BaseException) -> str:
    return f"{backend_name}: {type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]


def _apply_everywhere(state: State, names: Sequence[str]) -> dict[Key, str]:
    """Apply `state` to every backend; returns the listings some backend did not accept, with
    the error. A SearchUnavailable fails the whole batch for that backend; any other error
    makes the batch go listing by listing, so one rejected document cannot hold up the rest."""
    failed: dict[Key, str] = {}
    for name in names:
        try:
            apply_state(name, state)
            continue
        except SearchUnavailable as exc:
            logger.warning("Search backend %r unavailable: %s", name, exc)
            for key in state:
                failed.setdefault(key, _error_text(name, exc))
            continue
        except Exception as exc:
            if len(state) == 1:
                logger.exception("Search backend %r rejected %s", name, next(iter(state)))
                for key in state:
                    failed.setdefault(key, _error_text(name, exc))
                continue
            logger.warning("Search backend %r failed a batch (%s); retrying one by one", name, exc)
        for key, document in state.items():
            try:
                apply_state(name, {key: document})
            except Exception as exc:  # SearchUnavailable included: mark and move on
                logger.warning("Search backend %r did not accept %s: %s", name, key, exc)
                failed.setdefault(key, _error_text(name, exc))
    return failed


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed attempt (≥ 1): exponential backoff
    min(max, base * 2**(attempts-1)) seconds with equal jitter (× [0.5, 1.0]), see
    `kernel.backoff.retry_delay`."""
    return backoff_delay(
        attempts,
        base_seconds=float(getattr(settings, "SEARCH_SYNC_RETRY_BASE_SECONDS", 2.0)),
        max_seconds=float(getattr(settings, "SEARCH_SYNC_RETRY_MAX_SECONDS", 300.0)),
        jitter=True,
    )


def _rows_by_key(keys: Iterable[Key], using: str) -> dict[Key, list[SearchOutbox]]:
    """The outbox rows of the given listings (all rows, due or not), grouped by listing."""
    condition = Q()
    per_kind: dict[ListingKind, set[int]] = {}
    for kind, object_id in keys:
        per_kind.setdefault(kind, set()).add(object_id)
    for kind, ids in per_kind.items():
        condition |= Q(kind=kind, object_id__in=ids)
    grouped: dict[Key, list[SearchOutbox]] = {}
    if not per_kind:
        return grouped
    queryset = SearchOutbox.objects.using(using).filter(condition)
    for row in queryset.only("id", "kind", "object_id", "attempts").order_by("id"):
        grouped.setdefault(_key(row.kind, row.object_id), []).append(row)
    return grouped


def _sync_rows(
    grouped: dict[Key, list[SearchOutbox]],
    names: Sequence[str],
    *,
    backoff: bool,
    using: str,
) -> SyncReport:
    """Sync the listings of `grouped` and settle their rows: delete (accepted everywhere and
    unchanged), keep due at once (changed meanwhile), or keep with backoff (a backend failed;
    with `backoff=False` only `last_error` is recorded, the fast path's way)."""
    report = SyncReport(rows=sum(len(rows) for rows in grouped.values()), listings=len(grouped))
    if not grouped:
        return report
    report.batches = 1
    sent = current_state(grouped, using=using)
    report.indexed = sum(1 for document in sent.values() if document is not None)
    report.deleted = len(sent) - report.indexed
    failed = _apply_everywhere(sent, names)
    ok_keys = [key for key in grouped if key not in failed]
    after = current_state(ok_keys, using=using) if ok_keys else {}
    changed = [key for key in ok_keys if after.get(key) != sent.get(key)]

    done_ids = [row.pk for key in ok_keys if key not in changed for row in grouped[key]]
    if done_ids:
        for start in range(0, len(done_ids), 500):
            SearchOutbox.objects.using(using).filter(pk__in=done_ids[start : start + 500]).delete()
    report.done = len(done_ids)

    requeue_ids = [row.pk for key in changed for row in grouped[key]]
    if requeue_ids:
        rows = SearchOutbox.objects.using(using).filter(pk__in=requeue_ids)
        rows.update(next_attempt_at=timezone.now())
        _queue_again(changed, set(rows.values_list("kind", "object_id")), using)
    report.requeued = len(requeue_ids)

    if failed:
        now = timezone.now()
        updates: list[SearchOutbox] = []
        for key, error in failed.items():
            for row in grouped[key]:
                if backoff:
                    row.failed(error, retry_delay, now)
                else:
                    row.last_error = error
                updates.append(row)
        fields = list(SearchOutbox.RETRY_FIELDS) if backoff else ["last_error"]
        SearchOutbox.objects.using(using).bulk_update(updates, fields, batch_size=500)
        report.failed = len(updates)
        report.errors.extend(sorted(set(failed.values())))
    return report


def _queue_again(changed: Sequence[Key], queued: set[tuple[str, int]], using: str) -> None:
    """A new due row for each `changed` listing whose rows are gone: a sync of the same listing
    that read its newer state (and sent it first) deleted them, so what this sync sent last
    is the older state, and no row would make the worker send the current one."""
    gone: dict[ListingKind, list[int]] = {}
    for kind, object_id in changed:
        if (kind, object_id) not in queued:
            gone.setdefault(kind, []).append(object_id)
    for kind, object_ids in gone.items():
        record_listing_change(kind=kind, object_ids=object_ids, op="index", using=using)


# --- the fast path and the worker -------------------------------------------------------------
def sync_outbox_rows(
    row_ids: Sequence[int],
    *,
    backend_names: Sequence[str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> SyncReport:
    """The fast path, run on commit: apply the listings of these rows (and of any older rows
    of the same listings) now and delete the rows on success. Failures only record
    `last_error`; the rows stay due for the worker. Rows already gone (synced by the worker)
    are skipped. Never raises for a backend failure."""
    names = list(backend_names or configured_backend_names())
    mine = SearchOutbox.objects.using(using).filter(pk__in=list(row_ids))
    keys = {_key(row.kind, row.object_id) for row in mine.only("kind", "object_id")}
    grouped = _rows_by_key(keys, using)
    return _sync_rows(grouped, names, backoff=False, using=using)


def drain_outbox(
    *,
    batch_size: int = 500,
    backend_names: Sequence[str] | None = None,
    ignore_backoff: bool = False,
    should_stop: Callable[[], bool] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> SyncReport:
    """Apply every due outbox row to the backends, `batch_size` due rows at a time, oldest
    first, one pass (rows that fail or are requeued wait for the next call).

    Rows of one listing collapse into one document or deletion (together with that listing's
    rows that are not due yet). A row is deleted only after every backend in `backend_names`
    (default: all configured) accepted its listing's state; failures set `attempts`,
    `last_error` and `next_attempt_at` (backoff, see `retry_delay`). `ignore_backoff` also
    takes rows whose next attempt lies in the future (after an outage has ended).
    `should_stop` is checked between batches (graceful shutdown). Returns a SyncReport.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    names = list(backend_names or configured_backend_names())
    total = SyncReport()
    cursor = 0
    started = timezone.now()
    while not (should_stop and should_stop()):
        due = SearchOutbox.objects.using(using).filter(pk__gt=cursor)
        if not ignore_backoff:
            due = due.filter(next_attempt_at__lte=started)
        batch = list(due.order_by("id").values_list("id", "kind", "object_id")[:batch_size])
        if not batch:
            break
        cursor = batch[-1][0]
        keys = {_key(kind, object_id) for _, kind, object_id in batch}
        report = _sync_rows(_rows_by_key(keys, using), names, backoff=True, using=using)
        logger.info("search sync batch: %s", report)
        total.merge(report)
    total.remaining = SearchOutbox.objects.using(using).count()
    return total


# --- rebuilds ---------------------------------------------------------------------------------
def outbox_snapshot(*, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Ids of the rows in the outbox now (take it before a full rebuild reads any listing)."""
    return list(SearchOutbox.objects.using(using).order_by("id").values_list("id", flat=True))


def outbox_release(row_ids: Sequence[int], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Make the given rows due now (after a full rebuild: the worker re-sends their current
    state at once instead of waiting for their backoff). Returns how many rows were updated.
    Rows are never deleted here; see the module docstring for why."""
    updated = 0
    ids = list(row_ids)
    now = timezone.now()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        updated += (
            SearchOutbox.objects.using(using).filter(pk__in=chunk).update(next_attempt_at=now)
        )
    return updated


def outbox_stats(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """{"pending": rows, "due": rows due now, "oldest": created_at of the oldest row or None,
    "max_attempts": highest attempts} — for logs and health checks."""
    now = timezone.now()
    rows = SearchOutbox.objects.using(using)
    summary = rows.aggregate(
        pending=Count("id"), oldest=Min("created_at"), max_attempts=Max("attempts")
    )
    summary["due"] = rows.filter(next_attempt_at__lte=now).count()
    summary["max_attempts"] = summary["max_attempts"] or 0
    oldest: datetime | None = summary["oldest"]
    summary["oldest_age_seconds"] = (now - oldest).total_seconds() if oldest else 0.0
    return summary
