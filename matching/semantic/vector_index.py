"""The embedded backend's vector search: exact nearest neighbours in this process's memory.

One `VectorIndex` per listing kind and embedder, loaded from the stored vectors
(`matching.models.ListingVector`) on first use and brought up to date before every search by
reading only the rows changed since its last look (`updated_at` from its last mark, less a
margin for late commits; one indexed aggregate when nothing changed, see `refresh`). Vectors are
L2-normalised float32, so the cosine is a dot product; at 100,000 listings of 384
dimensions the matrix takes 154 MB and a search about 7 ms (one matrix-vector product and a
partial sort), which is why this is exact and not an approximate (HNSW) index: measured in
benchmarks/search_scale.py.

Vectors of listings that left search stay in the matrix; callers filter hits by the
database (the embedded backend asks for more until enough of them are listings its search
index holds; the matcher loads only searchable listings). Rows are updated in place and the
arrays grow by doubling, so a write costs its own rows in each process, not a copy of the
matrix.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Max, QuerySet
from django.utils import timezone

from matching.models import ListingVector
from matching.search.backends.base import ListingKind
from matching.semantic.embedders import Vectors

_CHUNK = 2000
_COMMIT_MARGIN = timedelta(seconds=30)
_COUNT_EVERY = 10.0  # seconds between counts of an unchanged index
_FRESH_FOR = 1.0  # seconds after a refresh that `loaded_vectors` answers from the index


@dataclass(frozen=True)
class _Snapshot:
    """The first `size` rows of `ids` and `matrix` are loaded; the rest is spare capacity.
    Readers take one snapshot and use only its first `size` rows."""

    ids: npt.NDArray[np.int64]
    matrix: Vectors  # (capacity, dimensions) float32
    rows: dict[int, int]  # object id -> row of the matrix
    size: int


def _empty(dimensions: int) -> _Snapshot:
    return _Snapshot(
        np.zeros(0, dtype=np.int64), np.zeros((0, dimensions), dtype=np.float32), {}, 0
    )


def _read(rows: QuerySet[ListingVector]) -> Iterator[tuple[int, bytes | memoryview]]:
    """(object id, vector bytes) of `rows`, read in chunks."""
    return rows.values_list("object_id", "vector").iterator(chunk_size=_CHUNK)


class VectorIndex:
    """Nearest stored vectors of one kind and one model, by cosine."""

    def __init__(self, kind: ListingKind, model: str, dimensions: int) -> None:
        self.kind = kind
        self.model = model
        self.dimensions = dimensions
        self._snapshot = _empty(dimensions)
        self._latest: datetime | None = None  # the newest row's time at the last load
        self._count = 0  # the rows at the last count
        self._counted_at = -_COUNT_EVERY  # time.monotonic() of the last count
        self.refreshed_at = -_FRESH_FOR  # time.monotonic() at the end of the last refresh
        self._lock = threading.Lock()

    def refresh(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Load the vectors stored or changed since the last refresh.

        One indexed aggregate (the newest row's time) when the newest time did not move.
        Counting the rows reads the kind's whole index, so it happens only when the newest
        time moved or every `_COUNT_EVERY` seconds; vectors are read only when the newest time
        or the count moved, or while the newest row is recent (`_COMMIT_MARGIN`): a row of a
        transaction that committed late, stamped before the newest one, shows within
        `_COUNT_EVERY` seconds. A deletion shows at the next count: the index is loaded again
        from scratch when it holds more rows than the table (also after a deletion and an
        insertion between two counts); until then the deleted rows' vectors are filtered like
        those of listings that left search. Readers keep the snapshot they took while a
        refresh builds the next one.
        """
        self._refresh(using)
        self.refreshed_at = time.monotonic()

    def _refresh(self, using: str) -> None:
        rows = ListingVector.objects.using(using).filter(kind=self.kind, model=self.model)
        with self._lock:
            latest = rows.aggregate(latest=Max("updated_at"))["latest"]
            due = time.monotonic() - self._counted_at >= _COUNT_EVERY
            if latest == self._latest and not due:
                return
            count = rows.count()
            self._counted_at = time.monotonic()
            recent = self._recent(latest)
            if latest == self._latest and count == self._count and not recent:
                # Nothing was written or deleted since the last look. (Reading the margin
                # again here re-read every row written within it, after each count: at
                # 100,000 vectors copied at once, every process every 10 s.)
                return
            snapshot = self._snapshot
            changed = rows
            if self._latest is not None and latest is not None and count >= self._count:
                # Rows of a transaction that committed after a later one carry an earlier
                # time: read back a margin before the last mark (merging is idempotent).
                changed = rows.filter(updated_at__gte=self._latest - _COMMIT_MARGIN)
            else:  # the first load, or rows were deleted: start again from an empty index
                snapshot = _empty(self.dimensions)
            snapshot = self._merge(snapshot, _read(changed), expected=count)
            if snapshot.size > count:  # a deletion and an insertion between two counts
                snapshot = self._merge(_empty(self.dimensions), _read(rows), expected=count)
            self._snapshot = snapshot
            self._latest, self._count = latest, count

    @staticmethod
    def _recent(latest: datetime | None) -> bool:
        """Whether the newest row is young enough that an older-stamped one may still commit
        (then the margin is read again at each count even though the mark did not move)."""
        return latest is not None and timezone.now() - latest < _COMMIT_MARGIN

    def _merge(
        self, base: _Snapshot, changed: Iterable[tuple[int, bytes | memoryview]], expected: int
    ) -> _Snapshot:
        """`base` with the `changed` rows updated in place and new ones appended; the arrays
        grow by doubling, so a write costs its own rows, not a copy of the whole matrix. An
        empty index is allocated once for the `expected` rows (the first load: at 68,000
        vectors about 0.35 s, against 1 s when it grew row by row; a worker's first match
        waits for it). Rows are copied in blocks of `_CHUNK` (one numpy assignment per block:
        row by row, Python's loop took most of the 1.0 s of CPU that gunicorn's parent spent
        loading 100,000 vectors). Rows of another size than the index's are left out (a model
        has one size)."""
        ids, matrix, positions, size = base.ids, base.matrix, base.rows, base.size
        if size == 0 and expected > len(ids):
            ids = np.zeros(expected, dtype=np.int64)
            matrix = np.empty((expected, self.dimensions), dtype=np.float32)
            positions = {}
        width = self.dimensions * 4
        rows = iter(changed)
        while block := [(int(i), data) for i, data in itertools.islice(rows, _CHUNK)]:
            block = [(i, data) for i, data in block if len(data) == width]
            if not block:
                continue
            fresh = [i for i, _data in block if i not in positions]
            if size + len(fresh) > len(ids):
                capacity = max(1024, 2 * len(ids), size + len(fresh))
                ids = np.resize(ids, capacity)
                grown = np.empty((capacity, self.dimensions), dtype=np.float32)
                grown[:size] = matrix[:size]
                matrix = grown
                positions = dict(positions)
            positions.update(zip(fresh, range(size, size + len(fresh)), strict=True))
            ids[size : size + len(fresh)] = fresh
            size += len(fresh)
            values = np.frombuffer(b"".join([data for _i, data in block]), dtype="<f4")
            matrix[[positions[i] for i, _data in block]] = values.reshape(-1, self.dimensions)
        return _Snapshot(ids, matrix, positions, size)

    def vector(self, object_id: int) -> Vectors | None:
        """The loaded vector of `object_id`, or None."""
        snapshot = self._snapshot
        row = snapshot.rows.get(object_id)
        return None if row is None or row >= snapshot.size else snapshot.matrix[row]

    def nearest(self, query: Vectors, limit: int) -> list[tuple[int, float]]:
        """At most `limit` (object id, cosine) pairs, most similar first (the caller filters:
        `BaseSearchBackend.nearest_listings`)."""
        snapshot = self._snapshot
        count = snapshot.size
        if count == 0 or limit <= 0:
            return []
        scores = snapshot.matrix[:count] @ np.asarray(query, dtype=np.float32)
        wanted = min(count, limit)
        top = np.argpartition(-scores, wanted - 1)[:wanted] if wanted < count else np.arange(count)
        ordered = top[np.argsort(-scores[top], kind="stable")]
        return [(int(snapshot.ids[i]), float(scores[i])) for i in ordered]


def loaded_vectors(
    kind: ListingKind, model: str, object_ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS
) -> dict[int, Vectors]:
    """{object id: vector} of `object_ids` that this process's index of `kind` and `model`
    holds, if it has one refreshed within the last `_FRESH_FOR` seconds (on the embedded
    backend, by the search of the same request); {} otherwise. It never loads an index (a
    process of the Elasticsearch backend has none): callers read the rest from the database."""
    with _indexes_lock:
        index = _indexes.get((using, kind, model))
    if index is None or time.monotonic() - index.refreshed_at > _FRESH_FOR:
        return {}
    vectors = {}
    for object_id in object_ids:
        vector = index.vector(object_id)
        if vector is not None:
            vectors[object_id] = vector
    return vectors


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
