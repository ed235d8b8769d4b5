"""Vectors kept in memory as float16 and searched by inner product (the only faiss import).

faiss-cpu (PyPI, MIT licence; Meta's similarity-search library): an `IndexScalarQuantizer`
with `QT_fp16` codes, one row per id. Half precision takes 768 bytes for a 384-dimension vector
instead of 1,536, and faiss's kernel (AVX2, chosen at run time) scans it faster than numpy's
float32 product (numpy has no fast float16 product: 55 ms against 7 ms at 68,000 × 384,
measured). A cosine differs from its float32 value by at most about 3e-5 (measured on the
benchmark's 68,000 result vectors).

A changed vector is overwritten in its row and a new one appended, so that a worker forked
after the load copies only the memory pages of the rows it changes (faiss's own removal
shifts every later row and would make the whole index the worker's private copy; tested). An
append that outgrows faiss's buffer (a std::vector, grown geometrically) copies it once.

Not thread-safe: the caller (`vector_index.VectorIndex`) serialises changes against searches.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

# faiss's loader logs at INFO that the wheel has no separate AVX2 module ("Could not load
# library with AVX2 support"), which reads like a fault in the product's log: its one module
# picks AVX2 at run time (faiss.get_compile_options(): "OPTIMIZE DD AVX2"). Warnings still show.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from matching.semantic.embedders import Vectors  # noqa: E402

#: What faiss writes before the codes of an `IndexScalarQuantizer` (its header, a few dozen
#: bytes; `HalfVectors.read` allows this much).
_HEADER_BYTES = 4096

# One OpenMP thread: the web workers already share the machine's cores, and a thread pool
# must not exist when gunicorn forks them.
faiss.omp_set_num_threads(1)


class HalfVectors:
    """Float32 vectors of `dimensions`, each under an int64 id, stored as float16."""

    def __init__(self, dimensions: int) -> None:
        self._index = faiss.IndexScalarQuantizer(
            dimensions, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        self._ids = np.zeros(0, dtype=np.int64)  # row -> id; spare capacity past len(self)
        self._rows: dict[int, int] = {}  # id -> row

    @classmethod
    def read(cls, path: Path, ids: npt.NDArray[np.int64], dimensions: int) -> HalfVectors:
        """The store of `dimensions` whose codes `write` saved at `path`, with `ids` (the id of
        each row, as `ids()` gave them). Raises ValueError when the ids are not distinct int64
        values, or the file is missing, unreadable (faiss's reader), of another size than
        the ids call for, or not a float16 inner-product index of `dimensions` with one row
        per id; OSError when the file cannot be read."""
        if ids.dtype != np.int64 or ids.ndim != 1:
            raise ValueError("the ids are not a list of int64")
        # Checked before faiss reads it: its reader allocates what the file's header claims.
        expected = len(ids) * dimensions * 2  # bytes of float16 codes
        if not expected <= path.stat().st_size <= expected + _HEADER_BYTES:
            raise ValueError("the codes file is not the size of these ids")
        try:
            loaded = faiss.read_index(str(path))
        except RuntimeError as exc:  # faiss's reader: a short or damaged file
            raise ValueError(f"not a faiss index: {exc}") from exc
        if not (
            isinstance(loaded, faiss.IndexScalarQuantizer)
            and loaded.sq.qtype == faiss.ScalarQuantizer.QT_fp16
            and loaded.metric_type == faiss.METRIC_INNER_PRODUCT
            and loaded.d == dimensions
            and loaded.ntotal == len(ids)
        ):
            raise ValueError("not a float16 inner-product index of these ids")
        store = cls(dimensions)
        store._index = loaded
        store._ids = np.array(ids, dtype=np.int64)
        store._rows = dict(zip(store._ids.tolist(), range(len(ids)), strict=True))
        if len(store._rows) != len(ids):
            raise ValueError("an id is stored twice")
        return store

    def write(self, path: Path) -> None:
        """Save the codes in a new file `path` (faiss's own format; `read` loads them back),
        readable by this account only. Raises OSError (also FileExistsError, and when the disk
        is full: faiss's own writer only prints that). Not synced to disk: the snapshots are a
        cache, and syncing 52 MB took a second of every first start; a file cut short by a
        crash fails `read`'s size check."""
        data = faiss.serialize_index(self._index)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "wb") as file:
            file.write(data.data)

    def ids(self) -> npt.NDArray[np.int64]:
        """The id of each row, in row order (a copy)."""
        return self._ids[: len(self)].copy()

    def __len__(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimensions(self) -> int:
        return int(self._index.d)

    def put(self, ids: npt.NDArray[np.int64], vectors: Vectors) -> None:
        """Store `vectors` (n, dimensions) under `ids` (n,): a stored id's row is overwritten
        in place, the others are appended (an id given twice keeps its last vector)."""
        # id -> its last position, built and split in C (a first load puts 100,000 rows).
        last = dict(zip(np.asarray(ids, dtype=np.int64).tolist(), range(len(ids)), strict=True))
        values = np.ascontiguousarray(vectors, dtype=np.float32)
        stored_ids = last.keys() & self._rows.keys()
        if stored_ids:
            rows = [self._rows[i] for i in stored_ids]
            codes = self._index.sa_encode(values[[last[i] for i in stored_ids]])
            self._codes()[rows] = codes
        fresh = [i for i in last if i not in stored_ids]
        if fresh:
            start = len(self)
            # Every row new and none given twice (a first load): add them without a copy.
            every = len(fresh) == len(values)
            self._index.add(values if every else values[[last[i] for i in fresh]])
            if start + len(fresh) > len(self._ids):
                self._ids = np.resize(self._ids, max(1024, 2 * len(self._ids), start + len(fresh)))
            self._ids[start : start + len(fresh)] = fresh
            self._rows.update(zip(fresh, range(start, start + len(fresh)), strict=True))

    def _codes(self) -> npt.NDArray[np.uint8]:
        """The stored codes as a writable (rows, code size) view of faiss's own buffer."""
        size = int(self._index.code_size)
        flat = faiss.rev_swig_ptr(self._index.codes.data(), len(self) * size)
        view: npt.NDArray[np.uint8] = flat.reshape(len(self), size)
        return view

    def nearest(self, query: Vectors, limit: int) -> list[tuple[int, float]]:
        """At most `limit` (id, inner product) pairs, largest first."""
        if limit <= 0 or len(self) == 0:
            return []
        scores, rows = self._index.search(
            np.asarray(query, dtype=np.float32).reshape(1, -1), min(limit, len(self))
        )
        return [
            (int(self._ids[row]), float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if row >= 0
        ]

    def get(self, object_ids: Sequence[int]) -> dict[int, Vectors]:
        """{id: stored vector (back from float16)} of the `object_ids` stored, decoded in one
        call."""
        held = [(int(i), self._rows[int(i)]) for i in object_ids if int(i) in self._rows]
        if not held:
            return {}
        vectors = self._index.sa_decode(self._codes()[[row for _i, row in held]])
        return {object_id: vectors[k] for k, (object_id, _row) in enumerate(held)}
