"""Keep the search index in step with the listings (the database stays the source of truth).

Every save or delete of a ResearchResult or TechnologyNeed writes a `SearchOutbox` row in the
same database transaction (post_save/post_delete run inside the caller's atomic block, so a
rolled-back change leaves no row and a committed one always has it) and schedules, on commit,
the fast path: re-read the listing, update every configured backend, delete the row. The
changes of one transaction share one callback, so they are sent in one bulk request.
Renaming an organisation does the same for its listings (the owner name is indexed).

Search problems never fail a write: the fast path runs after the commit, a backend that is down
(`SearchUnavailable`) or rejects the change is logged, and the row stays for
`manage.py search_sync` (see `matching.search.sync`), which retries it with backoff.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from marketplace.models import Organization, ResearchResult, TechnologyNeed
from matching.models import SearchOutboxOp
from matching.search.backends.base import ListingKind
from matching.search.documents import kind_of
from matching.search.sync import record_listing_change, sync_outbox_rows

logger = logging.getLogger(__name__)


def apply_outbox_rows(row_ids: Sequence[int], using: str) -> None:
    """The on-commit fast path: sync the rows' listings now; on failure leave the rows for the
    worker (logged as a warning, the write has already succeeded)."""
    try:
        report = sync_outbox_rows(row_ids, using=using)
    except Exception:  # the database itself failed; the rows (if any) stay for the worker
        logger.exception("Search sync after commit failed; left for search_sync")
        return
    if report.errors:
        logger.warning(
            "Search index not updated now (%d outbox row(s) not indexed, left for search_sync): %s",
            report.failed,
            "; ".join(report.errors),
        )


class _Pending:
    """Outbox rows written in one transaction, synced together by one on-commit callback (an
    import of 1,000 listings makes one bulk request, not 1,000)."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.row_ids: list[int] = []
        self.done = False

        # A named function, not functools.partial: robust on_commit logs failures by
        # __qualname__.
        def sync_search_index() -> None:
            self.done = True
            apply_outbox_rows(self.row_ids, self.using)

        self.callback = sync_search_index


_local = threading.local()


def _pending_for(using: str) -> _Pending | None:
    """The batch of the current transaction on `using`, if its callback is still waiting (not
    run, and not discarded by a rollback)."""
    pending: _Pending | None = getattr(_local, "pending", {}).get(using)
    if pending is None or pending.done:
        return None
    waiting = transaction.get_connection(using).run_on_commit
    if not any(callback is pending.callback for _sids, callback, *_rest in waiting):
        return None
    return pending


def _record(kind: ListingKind, object_ids: Sequence[int], op: str, using: str) -> None:
    if not object_ids:
        return
    row_ids = record_listing_change(kind=kind, object_ids=object_ids, op=op, using=using)
    pending = _pending_for(using)
    if pending is not None:
        pending.row_ids.extend(row_ids)
        return
    pending = _Pending(using)
    pending.row_ids.extend(row_ids)  # before on_commit: outside a transaction it runs at once
    if not hasattr(_local, "pending"):
        _local.pending = {}
    _local.pending[using] = pending
    transaction.on_commit(pending.callback, using=using, robust=True)


def listing_saved(
    sender: type[Any], instance: ResearchResult | TechnologyNeed, using: str, **kwargs: Any
) -> None:
    if not kwargs.get("raw"):  # loaddata: fixtures are indexed by update_index
        _record(kind_of(instance), [instance.pk], SearchOutboxOp.INDEX, using)


def listing_deleted(
    sender: type[Any], instance: ResearchResult | TechnologyNeed, using: str, **kwargs: Any
) -> None:
    _record(kind_of(instance), [instance.pk], SearchOutboxOp.DELETE, using)


def organization_saved(
    sender: type[Any], instance: Organization, using: str, created: bool, **kwargs: Any
) -> None:
    if created or kwargs.get("raw"):
        return
    pairs: tuple[tuple[type[ResearchResult] | type[TechnologyNeed], ListingKind], ...] = (
        (ResearchResult, "result"),
        (TechnologyNeed, "need"),
    )
    for model, kind in pairs:
        ids = list(model.objects.using(using).filter(owner=instance).values_list("pk", flat=True))
        _record(kind, ids, SearchOutboxOp.INDEX, using)


def connect() -> None:
    """Connect the handlers (called once from MatchingConfig.ready)."""
    for model in (ResearchResult, TechnologyNeed):
        post_save.connect(listing_saved, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(
            listing_deleted, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
        )
    post_save.connect(organization_saved, sender=Organization, dispatch_uid="search-org-save")
