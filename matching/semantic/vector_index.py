"""The embedded backend's vector search: exact nearest neighbours in this process's memory.

One `VectorIndex` per listing kind and embedder, loaded from the stored vectors
(`matching.models.ListingVector`) on first use and brought up to date before every search by
reading only the rows changed since its last look (`updated_at` from its last mark, less a
margin for late commits; one indexed aggregate when nothing changed). Vectors are
L2-normalised float32, so the cosine is a dot product; at 100,000 listings of 384
dimensions the matrix takes 154 MB and a search about 7 ms (one matrix-vector product and a
partial sort), which is why this is exact and not an approximate (HNSW) index: measured in
benchmarks/search_scale.py.

Vectors of listings that left search stay in the matrix; callers filter hits by the
database (the matcher loads only searchable listings) and ask for a few more than they need.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Max

from matching.models import ListingVector
from matching.search.backends.base import ListingKind
from matching.semantic.embedders import Vectors
from matching.semantic.store import from_bytes

_CHUNK = 2000
_COMMIT_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class _Snapshot:
    ids: npt.NDArray[np.int64]
    matrix: Vectors  # (n, dimensions) float32
    rows: dict[int, int]  # object id -> row of the matrix


def _empty(dimensions: int) -> _Snapshot:
    return _Snapshot(np.zeros(0, dtype=np.int64), np.zeros((0, dimensions), dtype=np.float32), {})


class VectorIndex:
    """Nearest stored vectors of one kind and one model, by cosine."""

    def __init__(self, kind: ListingKind, model: str, dimensions: int) -> None:
        self.kind = kind
        self.model = model
        self.dimensions = dimensions
        self._snapshot = _empty(dimensions)
        self._mark: tuple[datetime | None, int] | None = None
        self._lock = threading.Lock()

    def refresh(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Load the vectors stored or changed since the last refresh."""
        rows = ListingVector.objects.using(using).filter(kind=self.kind, model=self.model)
        with self._lock:
            state = rows.aggregate(latest=Max("updated_at"), count=Count("id"))
            mark = (state["latest"], int(state["count"]))
            if state["latest"] is None or mark == self._mark:
                return
            changed = rows
            if self._mark is not None and mark[1] < self._mark[1]:
                # Rows were deleted: start again from an empty index.
                self._snapshot = _empty(self.dimensions)
            elif self._mark is not None and self._mark[0] is not None:
                # Rows of a transaction that committed after a later one carry an earlier
                # time: read back a margin before the last mark (merging is idempotent).
                changed = rows.filter(updated_at__gte=self._mark[0] - _COMMIT_MARGIN)
            self._merge(changed.values_list("object_id", "vector").iterator(chunk_size=_CHUNK))
            self._mark = mark

    def _merge(self, changed: object) -> None:
        old = self._snapshot
        matrix = old.matrix.copy()
        positions = dict(old.rows)
        new_ids: list[int] = []
        new_vectors: list[Vectors] = []
        for object_id, data in changed:  # type: ignore[attr-defined]
            vector = from_bytes(data)
            if vector.shape != (self.dimensions,):
                continue
            if object_id in positions:
                matrix[positions[object_id]] = vector
            else:
                positions[object_id] = len(old.ids) + len(new_ids)
                new_ids.append(int(object_id))
                new_vectors.append(vector)
        if new_ids:
            matrix = np.vstack([matrix, np.vstack(new_vectors)])
        ids = np.concatenate([old.ids, np.asarray(new_ids, dtype=np.int64)])
        self._snapshot = _Snapshot(ids, matrix, positions)

    def vector(self, object_id: int) -> Vectors | None:
        """The loaded vector of `object_id`, or None."""
        snapshot = self._snapshot
        row = snapshot.rows.get(object_id)
        return None if row is None else snapshot.matrix[row]

    def nearest(
        self, query: Vectors, limit: int, *, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """At most `limit` (object id, cosine) pairs, most similar first, without `exclude`."""
        snapshot = self._snapshot
        count = len(snapshot.ids)
        if count == 0 or limit <= 0:
            return []
        scores = snapshot.matrix @ np.asarray(query, dtype=np.float32)
        wanted = min(count, limit + len(exclude))
        top = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < count else np.arange(count)
        ordered = top[np.argsort(-scores[top], kind="stable")]
        pairs = [(int(snapshot.ids[i]), float(scores[i])) for i in ordered]
        return [(i, s) for i, s in pairs if i not in exclude][:limit]


_indexes: dict[tuple[str, str, str], VectorIndex] = {}
_indexes_lock = threading.Lock()


def vector_index(
    kind: ListingKind, model: str, dimensions: int, *, using: str = DEFAULT_DB_ALIAS
) -> VectorIndex:
    """This process's index of `kind` and `model` on database `using`, refreshed."""
    key = (using, kind, model)
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = VectorIndex(kind, model, dimensions)
    index.refresh(using)
    return index


def forget_indexes() -> None:
    """Drop every loaded index (tests that recreate the database call this)."""
    with _indexes_lock:
        _indexes.clear()
