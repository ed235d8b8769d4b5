"""The embedded backend's vector search: exhaustive nearest neighbours in this process's memory.

One `VectorIndex` per listing kind and embedder, loaded from its snapshot file when that is
current (`vector_snapshot`), else from the stored vectors (`matching.models.ListingVector`),
on first use and brought up to date before every search by
reading only the rows changed since its last look (`updated_at` from its last mark, less a
margin for late commits; one indexed aggregate when nothing changed, see `refresh`). Vectors are
L2-normalised, so the cosine is a dot product. They are kept as float16 in faiss
(`half_vectors.py`): at 100,000 listings of 384 dimensions 77 MB instead of float32's 154 MB,
and a search scans every row (about 4 ms for 68,000 against numpy's 7 ms in float32; cosines
within 3e-5 of float32's), which is why this is exhaustive and not an approximate (HNSW)
index: measured in benchmarks/search_scale.py.

Vectors of listings that left search stay in the index; callers filter hits by the
database (the embedded backend asks for more until enough of them are listings its search
index holds; the matcher loads only searchable listings). Changed rows are replaced in place,
so a write costs its own rows in each process, not a copy of the index.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Max, QuerySet
from django.utils import timezone

from matching.models import ListingVector
from matching.search.backends.base import ListingKind
from matching.semantic.embedders import Vectors
from matching.semantic.half_vectors import HalfVectors
from matching.semantic.vector_snapshot import (
    SnapshotMark,
    read_snapshot,
    snapshot_path,
    write_snapshot,
)

_CHUNK = 2000
_ADD_ROWS = 25_000  # rows put into faiss at once by a full load (37 MB of float32 at 384)
_COMMIT_MARGIN = timedelta(seconds=30)
_COUNT_EVERY = 10.0  # seconds between counts of an unchanged index
_SAVE_AFTER_ROWS = 1000  # rows read since the snapshot that make a save worth its write


def _read(rows: QuerySet[ListingVector]) -> Iterator[tuple[int, bytes | memoryview]]:
    """(object id, vector bytes) of `rows`, read in chunks."""
    return rows.values_list("object_id", "vector").iterator(chunk_size=_CHUNK)


def _put_all(vectors: HalfVectors, blocks: list[tuple[npt.NDArray[np.int64], Vectors]]) -> None:
    """Put `blocks` ((ids, vectors) each) into `vectors` in one call."""
    if blocks:
        vectors.put(
            np.concatenate([ids for ids, _v in blocks]), np.vstack([v for _ids, v in blocks])
        )


class VectorIndex:
    """Nearest stored vectors of one kind and one model, by cosine."""

    def __init__(
        self, kind: ListingKind, model: str, dimensions: int, *, snapshot: Path | None = None
    ) -> None:
        self.kind = kind
        self.model = model
        self.dimensions = dimensions
        self._vectors = HalfVectors(dimensions)
        # Searches and reads against in-place changes of `_vectors` (faiss is not
        # thread-safe); a reload builds a new one outside it and swaps it in.
        self._vectors_lock = threading.Lock()
        self._latest: datetime | None = None  # the newest row's time at the last load
        self._count = 0  # the rows at the last count
        self._counted_at = -_COUNT_EVERY  # time.monotonic() of the last count
        self._lock = threading.Lock()
        # The snapshot file to start from and to save to (`vector_snapshot`); whether it was
        # tried; whether the index came from it and has not been counted against the table
        # yet; rows read since it was read or saved (None: the index was loaded from the
        # table since); when rows were last read.
        self._snapshot = snapshot
        self._snapshot_tried = False
        self._read_since_saved: int | None = None
        self._read_at: datetime | None = None
        # Rows the table had beyond those the index holds at its last load (rows of another
        # size are left out): more missing than that means rows the refresh did not read.
        self._unheld = 0

    def refresh(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Load the vectors stored or changed since the last refresh.

        The first refresh starts from the snapshot file when it is still current (`_restore`).
        One indexed aggregate (the newest row's time) when the newest time did not move.
        Counting the rows reads the kind's whole index, so it happens only when the newest
        time moved or every `_COUNT_EVERY` seconds; vectors are read only when the newest time
        or the count moved, or while the newest row is recent (`_COMMIT_MARGIN`): a row of a
        transaction that committed late, stamped before the newest one, shows within
        `_COUNT_EVERY` seconds. A deletion shows at the next count: the index is loaded again
        from scratch when it holds more rows than the table (also after a deletion and an
        insertion between two counts), or fewer than the table less the rows it cannot hold
        (a row that came back with an older time); until then the deleted rows' vectors are
        filtered like those of listings that left search. A reload
        is built aside while readers use the current index; changed rows are written in place
        between searches, block by block (a search during a refresh may see some of its rows
        changed and others not yet).
        """
        rows = self._rows(using)
        with self._lock:
            if self._snapshot is not None and not self._snapshot_tried:
                self._restore(rows, self._snapshot)
            read_at = timezone.now()
            latest = rows.aggregate(latest=Max("updated_at"))["latest"]
            due = time.monotonic() - self._counted_at >= _COUNT_EVERY
            if latest == self._latest and not due:
                return
            count = rows.count()
            self._counted_at = time.monotonic()
            if latest == self._latest and count == self._count and not self._recent(latest):
                # Nothing was written or deleted since the last look. (Reading the margin
                # again here re-read every row written within it, after each count: at
                # 100,000 vectors copied at once, every process every 10 s.)
                return
            if self._latest is not None and latest is not None and count >= self._count:
                # Rows of a transaction that committed after a later one carry an earlier
                # time: read back a margin before the last mark (merging is idempotent).
                self._merge(rows.filter(updated_at__gte=self._latest - _COMMIT_MARGIN))
            else:  # the first load, or rows were deleted: start again from an empty index
                self._load_all(rows, read_at, count)
            # More rows than the table: a deletion and an insertion between two counts. Fewer
            # than the table less those it cannot hold: a row came back with an older time (a
            # restored backup) or committed later than the margin allows.
            if len(self._vectors) > count or len(self._vectors) + self._unheld < count:
                self._load_all(rows, read_at, count)
            self._latest, self._count, self._read_at = latest, count, read_at

    def _rows(self, using: str) -> QuerySet[ListingVector]:
        return ListingVector.objects.using(using).filter(kind=self.kind, model=self.model)

    def _load_all(self, rows: QuerySet[ListingVector], read_at: datetime, count: int) -> None:
        """Every row of the table (`count` of them when counted)."""
        self._vectors = self._loaded(rows)
        self._read_since_saved, self._read_at = None, read_at
        self._unheld = max(0, count - len(self._vectors))

    def _restore(self, rows: QuerySet[ListingVector], snapshot: Path) -> None:
        """Start from the snapshot file if it still describes `rows`: the row that was the
        newest when it was saved must still carry the same time to the microsecond (another
        database or a rewritten newest row fail this, and the index is then loaded from the
        table); a count that finds more rows than it holds with those read since (a row back
        from a restored backup) loads the table too (`refresh`). Rows stamped up to
        `_COMMIT_MARGIN` before the snapshot's last read are read again (a transaction may
        have committed after it); the caller's refresh reads what changed since."""
        found = read_snapshot(
            snapshot, kind=self.kind, model=self.model, dimensions=self.dimensions
        )
        if found is not None:
            vectors, mark = found
            if rows.filter(object_id=mark.newest_id, updated_at=mark.latest).exists():
                self._vectors, self._latest, self._count = vectors, mark.latest, mark.count
                self._read_since_saved, self._read_at = 0, mark.read_at
                self._unheld = max(0, mark.count - len(vectors))
                if mark.read_at - _COMMIT_MARGIN <= mark.latest:
                    self._merge(rows.filter(updated_at__gte=mark.read_at - _COMMIT_MARGIN))
        # Only once the database answered: a parent whose database was not ready leaves the
        # snapshot to its workers.
        self._snapshot_tried = True

    def save_snapshot(self, using: str = DEFAULT_DB_ALIAS) -> bool:
        """Write this index to its snapshot file if it was loaded from the table, or read more
        rows since the snapshot than `_SAVE_AFTER_ROWS` or a hundredth of them (a few
        rewritten listings are read again at the next start instead: writing 77 MB would
        delay it more); whether it wrote. Raises OSError when the file cannot be written."""
        with self._lock:
            since = self._read_since_saved
            if self._snapshot is None or self._latest is None or self._read_at is None:
                return False
            if since is not None and since < max(_SAVE_AFTER_ROWS, self._count // 100):
                return False
            newest = self._rows(using).filter(updated_at=self._latest)
            newest_id = newest.values_list("object_id", flat=True).first()
            if newest_id is None:
                return False  # the newest row changed since the refresh: save another time
            mark = SnapshotMark(self._latest, newest_id, self._count, self._read_at)
            with self._vectors_lock:
                write_snapshot(
                    self._snapshot,
                    kind=self.kind,
                    model=self.model,
                    vectors=self._vectors,
                    mark=mark,
                )
            self._read_since_saved = 0
            return True

    @staticmethod
    def _recent(latest: datetime | None) -> bool:
        """Whether the newest row is young enough that an older-stamped one may still commit
        (then the margin is read again at each count even though the mark did not move)."""
        return latest is not None and timezone.now() - latest < _COMMIT_MARGIN

    def _blocks(
        self, rows: QuerySet[ListingVector]
    ) -> Iterator[tuple[npt.NDArray[np.int64], Vectors]]:
        """(ids, vectors) of `rows` in blocks of `_CHUNK`, one numpy conversion per block (row
        by row, Python's loop took most of a 100,000-vector load); rows of another size than
        the index's are left out (a model has one size)."""
        width = self.dimensions * 4
        read = iter(_read(rows))
        while block := [(int(i), data) for i, data in itertools.islice(read, _CHUNK)]:
            block = [(i, data) for i, data in block if len(data) == width]
            if block:
                ids = np.fromiter((i for i, _data in block), dtype=np.int64, count=len(block))
                values = np.frombuffer(b"".join([data for _i, data in block]), dtype="<f4")
                yield ids, values.reshape(-1, self.dimensions)

    def _loaded(self, rows: QuerySet[ListingVector]) -> HalfVectors:
        """A new store of every row (built while readers use the current one), put into faiss
        `_ADD_ROWS` at a time: each add grows faiss's buffer, and adding 2,000 at a time took
        about twice as long as a single add."""
        vectors = HalfVectors(self.dimensions)
        pending: list[tuple[npt.NDArray[np.int64], Vectors]] = []
        held = 0
        for ids, values in self._blocks(rows):
            pending.append((ids, values))
            held += len(ids)
            if held >= _ADD_ROWS:
                _put_all(vectors, pending)
                pending, held = [], 0
        _put_all(vectors, pending)
        return vectors

    def _merge(self, rows: QuerySet[ListingVector]) -> None:
        """The changed `rows` replaced or added in place: a write costs its own rows and one
        pass over the stored ids, not a copy of the whole index."""
        for ids, values in self._blocks(rows):
            with self._vectors_lock:
                self._vectors.put(ids, values)
            if self._read_since_saved is not None:
                self._read_since_saved += len(ids)

    def vectors(self, object_ids: Sequence[int]) -> dict[int, Vectors]:
        """{object id: loaded vector (float32 back from float16)} of those `object_ids` this
        index holds."""
        with self._vectors_lock:
            return self._vectors.get(object_ids)

    def nearest(self, query: Vectors, limit: int) -> list[tuple[int, float]]:
        """At most `limit` (object id, cosine) pairs, most similar first (the caller filters:
        `BaseSearchBackend.nearest_listings`)."""
        with self._vectors_lock:
            return self._vectors.nearest(query, limit)


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
            snapshot = snapshot_path(using, kind, model)
            index = _indexes[key] = VectorIndex(kind, model, dimensions, snapshot=snapshot)
    index.refresh(using)
    return index


def loaded_vector_index(
    kind: ListingKind, model: str, *, using: str = DEFAULT_DB_ALIAS
) -> VectorIndex | None:
    """This process's index of `kind` and `model` on database `using` as it is (no refresh:
    for reads in a request whose search refreshed it already), or None if none was loaded."""
    with _indexes_lock:
        return _indexes.get((using, kind, model))


def forget_indexes() -> None:
    """Drop every loaded index (tests that recreate the database call this)."""
    with _indexes_lock:
        _indexes.clear()
