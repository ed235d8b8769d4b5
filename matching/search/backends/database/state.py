"""The embedded index in process: postings and BM25 statistics of the `SearchEntry` rows.

The state is kept per database and brought up to date by an index version (row count, latest
`indexed_at`, highest id) checked with one aggregate query per search. When the version moved,
only rows whose `indexed_at` changed are re-read. `IndexCache.candidates` also compares the
filtered rows' `indexed_at` with the cache and re-reads on any difference, so several server
processes stay correct.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Count, Max, QuerySet

from matching.models import SearchEntry
from matching.search.backends.base import FacetValues, ListingKind

WORD_FIELDS: tuple[str, ...] = ("title", "title_en", "keywords", "body")
GRAM_FIELD = "grams"
ALL_FIELDS: tuple[str, ...] = (*WORD_FIELDS, GRAM_FIELD)

_ROW_COLUMNS = (
    "id",
    "kind",
    "object_id",
    "indexed_at",
    "field",
    "province",
    "city",
    "trl",
    "stage",
    "modes",
    "stored",
    "tokens",
)


@dataclass(frozen=True)
class Entry(FacetValues):
    """One indexed listing: its filter values, stored text and term frequencies per field."""

    row_id: int
    kind: ListingKind
    object_id: int
    indexed_at: datetime
    stored: dict[str, Any]
    tf: dict[str, Counter[str]]
    lengths: dict[str, int]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Entry:
        tokens = row["tokens"] or {}
        tf = {name: Counter(tokens.get(name) or []) for name in ALL_FIELDS}
        return cls(
            row_id=row["id"],
            kind=row["kind"],
            object_id=row["object_id"],
            indexed_at=row["indexed_at"],
            field=row["field"],
            province=row["province"],
            city=row["city"],
            trl=row["trl"],
            stage=row["stage"],
            modes=tuple(row["modes"] or ()),
            stored=row["stored"] or {},
            tf=tf,
            lengths={name: sum(counter.values()) for name, counter in tf.items()},
        )


@dataclass
class IndexState:
    """Postings and statistics of the whole index, as of `version`."""

    version: tuple[Any, ...] | None = None
    entries: dict[int, Entry] = field(default_factory=dict)
    postings: dict[str, dict[str, dict[int, int]]] = field(
        default_factory=lambda: {name: {} for name in ALL_FIELDS}
    )
    total_length: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALL_FIELDS, 0))

    def add(self, entry: Entry) -> None:
        self.remove(entry.row_id)
        self.entries[entry.row_id] = entry
        for name in ALL_FIELDS:
            postings = self.postings[name]
            for term, count in entry.tf[name].items():
                postings.setdefault(term, {})[entry.row_id] = count
            self.total_length[name] += entry.lengths[name]

    def remove(self, row_id: int) -> None:
        entry = self.entries.pop(row_id, None)
        if entry is None:
            return
        for name in ALL_FIELDS:
            postings = self.postings[name]
            for term in entry.tf[name]:
                rows = postings.get(term)
                if rows is not None:
                    rows.pop(row_id, None)
                    if not rows:
                        del postings[term]
            self.total_length[name] -= entry.lengths[name]

    def idf(self, name: str, term: str) -> float:
        """BM25's idf = ln(1 + (N − df + 0.5)/(df + 0.5)) over the whole index."""
        n = len(self.entries)
        df = len(self.postings[name].get(term, ()))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def average_length(self, name: str) -> float:
        return self.total_length[name] / len(self.entries) if self.entries else 0.0


class IndexCache:
    """The states of this process, one per database; use them with `lock` held."""

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], IndexState] = {}
        self.lock = threading.RLock()

    def state(self) -> IndexState:
        """The state of the current database, brought up to date (one aggregate query)."""
        db = connections[SearchEntry.objects.db].settings_dict
        key = (SearchEntry.objects.db, str(db.get("NAME")))
        state = self._states.setdefault(key, IndexState())
        aggregate = SearchEntry.objects.aggregate(
            n=Count("id"), last=Max("indexed_at"), top=Max("id")
        )
        version = (aggregate["n"], aggregate["last"], aggregate["top"])
        if state.version != version:
            self._sync(state)
            state.version = version
        return state

    @staticmethod
    def _sync(state: IndexState) -> None:
        current = dict(SearchEntry.objects.values_list("id", "indexed_at"))
        for row_id in [r for r in state.entries if current.get(r) != state.entries[r].indexed_at]:
            state.remove(row_id)
        missing = [row_id for row_id in current if row_id not in state.entries]
        for start in range(0, len(missing), 500):
            rows = SearchEntry.objects.filter(id__in=missing[start : start + 500])
            for row in rows.values(*_ROW_COLUMNS):
                state.add(Entry.from_row(row))

    def candidates(self, rows: QuerySet[SearchEntry], state: IndexState) -> list[Entry]:
        """The entries of `rows` (filtered rows, in their order), re-reading the state first
        when any of them changed since it was read."""
        found = list(rows.values_list("id", "indexed_at"))
        stale = any(
            (entry := state.entries.get(row_id)) is None or entry.indexed_at != indexed_at
            for row_id, indexed_at in found
        )
        if stale:  # a write landed between the version check and this query
            self._sync(state)
        return [state.entries[row_id] for row_id, _ in found if row_id in state.entries]
