"""The float16 vector store under the embedded backend's vector index (faiss)."""

from __future__ import annotations

import numpy as np

from matching.semantic.half_vectors import HalfVectors


def _unit(rng: np.random.Generator, count: int, dimensions: int = 16) -> np.ndarray:
    rows = rng.standard_normal((count, dimensions)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_nearest_rows_come_by_id_with_their_cosine_largest_first() -> None:
    rng = np.random.default_rng(1)
    vectors = _unit(rng, 50)
    store = HalfVectors(16)
    store.add(np.arange(1000, 1050, dtype=np.int64), vectors)
    query = vectors[7]
    found = store.nearest(query, 5)
    exact = vectors @ query
    assert [object_id for object_id, _cosine in found] == [
        1000 + int(i) for i in np.argsort(-exact)[:5]
    ]
    assert all(abs(cosine - exact[object_id - 1000]) < 1e-3 for object_id, cosine in found)
    assert len(store.nearest(query, 500)) == 50


def test_an_upserted_id_is_replaced_not_kept_twice_and_a_new_one_is_added() -> None:
    rng = np.random.default_rng(2)
    old, changed, new = _unit(rng, 3)
    store = HalfVectors(16)
    store.add(np.array([5], dtype=np.int64), old[None])
    store.upsert(np.array([5, 6], dtype=np.int64), np.vstack([changed, new]))
    assert len(store) == 2
    held = store.get(5)
    assert held is not None and np.allclose(held, changed, atol=1e-3)
    assert all(cosine < 0.99 for _id, cosine in store.nearest(old, 2))  # the old row is gone
    assert store.nearest(new, 1)[0][0] == 6


def test_an_unknown_id_reads_as_none_and_an_empty_store_finds_nothing() -> None:
    store = HalfVectors(16)
    assert store.get(42) is None
    assert store.nearest(np.ones(16, dtype=np.float32) / 4, 3) == []
    assert store.nearest(np.ones(16, dtype=np.float32) / 4, 0) == []
