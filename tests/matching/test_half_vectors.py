"""The float16 vector store under the embedded backend's vector index (faiss)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from matching.semantic.half_vectors import HalfVectors


def _unit(rng: np.random.Generator, count: int, dimensions: int = 16) -> np.ndarray:
    rows = rng.standard_normal((count, dimensions)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_nearest_rows_come_by_id_with_their_cosine_largest_first() -> None:
    rng = np.random.default_rng(1)
    vectors = _unit(rng, 50)
    store = HalfVectors(16)
    store.put(np.arange(1000, 1050, dtype=np.int64), vectors)
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
    store.put(np.array([5], dtype=np.int64), old[None])
    store.put(np.array([5, 6], dtype=np.int64), np.vstack([changed, new]))
    assert len(store) == 2
    held = store.get([5, 7])
    assert list(held) == [5] and np.allclose(held[5], changed, atol=1e-3)
    assert all(cosine < 0.99 for _id, cosine in store.nearest(old, 2))  # the old row is gone
    assert store.nearest(new, 1)[0][0] == 6


def test_an_unknown_id_is_not_held_and_an_empty_store_finds_nothing() -> None:
    store = HalfVectors(16)
    assert store.get([42]) == {}
    assert store.nearest(np.ones(16, dtype=np.float32) / 4, 3) == []
    assert store.nearest(np.ones(16, dtype=np.float32) / 4, 0) == []


def test_an_id_given_twice_in_one_call_keeps_its_last_vector() -> None:
    rng = np.random.default_rng(3)
    first, second = _unit(rng, 2)
    store = HalfVectors(16)
    store.put(np.array([9, 9], dtype=np.int64), np.vstack([first, second]))
    held = store.get([9])
    assert len(store) == 1 and np.allclose(held[9], second, atol=1e-3)


def _private_dirty_kb() -> int:
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        return sum(int(line.split()[1]) for line in rollup if line.startswith("Private_Dirty:"))


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="Linux /proc only")
def test_a_forked_worker_that_changes_one_vector_copies_its_pages_not_the_index() -> None:
    """gunicorn's workers share the index their parent loaded; a changed vector is written
    in its row (about 30 MB of codes here, of which the change copies a page or two)."""
    rng = np.random.default_rng(4)
    store = HalfVectors(384)
    count = 40_000
    for start in range(0, count, 5_000):
        ids = np.arange(start, start + 5_000, dtype=np.int64)
        store.put(ids, _unit(rng, 5_000, 384))
    changed = _unit(rng, 1, 384)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(reader)
        before = _private_dirty_kb()
        store.put(np.array([123], dtype=np.int64), changed)
        found = store.nearest(changed[0], 1)[0][0] == 123 and len(store) == count
        os.write(writer, f"{_private_dirty_kb() - before} {int(found)}".encode())
        os._exit(0)
    os.close(writer)
    grown_kb, found = map(int, os.read(reader, 100).split())
    os.close(reader)
    os.waitpid(pid, 0)
    assert found == 1
    assert grown_kb < 4_000, f"the worker copied {grown_kb} KB"
