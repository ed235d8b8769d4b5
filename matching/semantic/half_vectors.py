"""Vectors kept in memory as float16 and searched by inner product (the only faiss import).

faiss-cpu (PyPI, MIT licence; Meta's similarity-search library): an `IndexScalarQuantizer`
with `QT_fp16` codes under an `IndexIDMap2`, so rows are found, replaced and read back by
object id. Half precision takes 768 bytes for a 384-dimension vector instead of 1,536, and
faiss's AVX2 kernel scans it faster than numpy's float32 product (numpy has no fast float16
product: 55 ms against 7 ms at 68,000 × 384, measured). A cosine differs from its float32 value
by at most about 3e-5 (measured on the benchmark's 68,000 result vectors).

Not thread-safe: the caller (`vector_index.VectorIndex`) serialises changes against searches.
"""

from __future__ import annotations

import logging

# faiss's loader logs at INFO that it fell back from a build for another CPU level to its
# generic one ("Could not load library with AVX2 support"), which reads like a fault in the
# product's log; warnings still show.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from matching.semantic.embedders import Vectors  # noqa: E402

# One OpenMP thread: the web workers already share the machine's cores, and a thread pool
# must not exist when gunicorn forks them.
faiss.omp_set_num_threads(1)


class HalfVectors:
    """Float32 vectors of `dimensions`, each under an int64 id, stored as float16."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        codes = faiss.IndexScalarQuantizer(
            dimensions, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        self._index = faiss.IndexIDMap2(codes)
        self._codes = codes  # the id map does not keep its inner index alive from Python

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: npt.NDArray[np.int64], vectors: Vectors) -> None:
        """Add rows whose ids are not stored yet (a stored id would be kept twice)."""
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)

    def upsert(self, ids: npt.NDArray[np.int64], vectors: Vectors) -> None:
        """Store rows, replacing those whose id is stored (one pass over all stored ids)."""
        if len(ids):
            self._index.remove_ids(faiss.IDSelectorBatch(np.ascontiguousarray(ids)))
            self.add(ids, vectors)

    def nearest(self, query: Vectors, limit: int) -> list[tuple[int, float]]:
        """At most `limit` (id, inner product) pairs, largest first."""
        if limit <= 0 or len(self) == 0:
            return []
        scores, ids = self._index.search(
            np.asarray(query, dtype=np.float32).reshape(1, -1), min(limit, len(self))
        )
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def get(self, object_id: int) -> Vectors | None:
        """The stored vector of `object_id` (back from float16), or None."""
        try:
            vector: Vectors = self._index.reconstruct(int(object_id))
        except RuntimeError:  # faiss: the id is not in the map
            return None
        return vector
