"""`manage.py update_index`: rebuild the search index from the database.

Indexes every published listing (research results, then technology needs) into the chosen
backend in one replacement (searches during the rebuild see the old or the new index), shows
a tqdm progress bar, prints the count per kind and checks it against the backend's own count
(published listings that have not expired). Exits with an error when they differ or the
search service is unavailable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from matching.search import backend_names, get_search_backend
from matching.search.analysis_pool import default_workers
from matching.search.backends.base import KINDS, IndexDocument, SearchUnavailable
from matching.search.documents import documents_for_all, listing_querysets
from matching.search.sync import outbox_release, outbox_snapshot
from matching.semantic.bulk import embed_documents, stale_documents
from matching.semantic.embedders import embedding_status
from matching.semantic.preload import save_vector_snapshots
from matching.semantic.store import documents_for_rebuild


@contextmanager
def _progress_bar(
    description: str, show: bool, total: int | None = None
) -> Iterator[Callable[[int], None]]:
    """A tqdm bar over `total` documents (default: every listing); yields the callback that
    reports a running count."""
    if total is None:
        total = sum(queryset.count() for queryset in listing_querysets().values())
    # disable=None: tqdm draws only on a terminal (a log file would get every redraw).
    bar = tqdm(total=total, desc=description, unit="doc", disable=None if show else True)
    done = 0

    def progress(count: int) -> None:
        nonlocal done
        bar.update(count - done)
        done = count

    try:
        yield progress
    finally:
        bar.close()


class Command(BaseCommand):
    help = "Rebuild the search index from the listings in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend",
            action="append",
            dest="backends",
            help="Name in SEARCH_BACKENDS (repeatable; default: every configured backend).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["backends"] or backend_names()
        # Queued changes committed before the rebuild reads the listings are in the new index;
        # their outbox rows are kept (a sync may be in flight) but made due at once, so
        # search_sync confirms them now instead of after their backoff (matching.search.sync).
        queued = outbox_snapshot() if set(backend_names()) <= set(names) else []
        self._embed(show_progress=not options["no_progress"])
        for name in names:
            self._rebuild(name, show_progress=not options["no_progress"])
        if queued:
            outbox_release(queued)
            self.stdout.write(
                _("Search outbox: %(count)d queued changes are due now (run search_sync).")
                % {"count": len(queued)}
            )
        # The embedded backend's vector snapshots, so that the next start need not read every
        # vector from the database (a snapshot that cannot be written is only logged).
        save_vector_snapshots()

    def _embed(self, *, show_progress: bool) -> None:
        """Compute the vectors that are missing or stale (matching.semantic.bulk), or say that
        matching is lexical only."""
        status = embedding_status()
        if not status.enabled:
            self.stdout.write(
                _("Semantic matching is off (%(reason)s): matching is lexical only.")
                % {"reason": status.reason}
            )
            return
        stale = stale_documents(documents_for_all())
        if not stale:  # e.g. after load_demo: every write embedded its listing already
            self.stdout.write(
                _("Embeddings (%(model)s): all searchable listings are current.")
                % {"model": status.model}
            )
            return
        with _progress_bar("embeddings", show_progress, total=len(stale)) as progress:
            count = embed_documents(stale, workers=default_workers(None), progress=progress)
        self.stdout.write(
            ngettext(
                "Embeddings (%(model)s): %(count)d listing embedded, the others were current.",
                "Embeddings (%(model)s): %(count)d listings embedded, the others were current.",
                count,
            )
            % {"model": status.model, "count": count}
        )

    def _rebuild(self, name: str, *, show_progress: bool) -> None:
        backend = get_search_backend(name)
        indexed: Counter[str] = Counter()
        live: Counter[str] = Counter()
        now = timezone.now()

        def counted(documents: Iterator[IndexDocument]) -> Iterator[IndexDocument]:
            for document in documents:
                if document.searchable:
                    indexed[document.kind] += 1
                    expires = document.expires_at
                    if expires is None or expires > now:
                        live[document.kind] += 1
                yield document

        try:
            with _progress_bar(f"search index {name}", show_progress) as progress:
                count = backend.rebuild(counted(documents_for_rebuild(backend)), progress=progress)
        except SearchUnavailable as exc:
            raise CommandError(
                _("Search backend %(name)s is unavailable: %(error)s")
                % {"name": name, "error": exc}
            ) from exc

        labels = {"result": _("research results"), "need": _("technology needs")}
        self.stdout.write(
            _("%(backend)s: indexed %(count)d listings") % {"backend": name, "count": count}
        )
        problems: list[str] = []
        for kind in KINDS:
            in_index = backend.count(kind)
            self.stdout.write(
                _(
                    "  %(kind)s: %(indexed)d indexed, %(live)d searchable (not expired), "
                    "%(found)d in the index"
                )
                % {
                    "kind": labels[kind],
                    "indexed": indexed[kind],
                    "live": live[kind],
                    "found": in_index,
                }
            )
            if in_index != live[kind]:
                problems.append(str(kind))
        if count != sum(indexed.values()) or problems:
            raise CommandError(
                _("The index does not hold what was indexed (%(kinds)s); run update_index again.")
                % {"kinds": ", ".join(problems) or "total"}
            )
        self.stdout.write(self.style.SUCCESS(_("Search index rebuilt.")))
