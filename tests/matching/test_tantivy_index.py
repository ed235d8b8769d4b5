"""The embedded Tantivy index shared by several worker processes: writes become visible to
every process at its next query, writers wait for each other, and a rebuild switches
generations atomically. (What it finds is the shared suite's job: test_search_backends.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from matching.search.backends.base import IndexDocument, SearchQuery
from matching.search.backends.tantivy import TantivySearchBackend
from tests.matching.search_support import index_document

ROOT = Path(settings.BASE_DIR)


def _document(object_id: int, title: str = "磁悬浮鼓风机节能改造") -> IndexDocument:
    return index_document(
        "result",
        object_id,
        title=title,
        body="高速永磁电机驱动的鼓风机，节能百分之三十。",
        keywords=("鼓风机", "节能"),
        province="北京",
        trl=6,
        owner_name="【演示】科桥示范大学",
    )


def _worker(path: Path) -> TantivySearchBackend:
    """A backend as one worker process holds it (its own open index)."""
    return TantivySearchBackend({"PATH": str(path)})


def _ids(backend: TantivySearchBackend, text: str = "") -> set[int]:
    return {hit.object_id for hit in backend.search(SearchQuery(text=text, page_size=100)).hits}


def _run_python(code: str, index_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings", "PYTHONPATH": str(ROOT)}
    script = textwrap.dedent(
        f"""
        import django, sys, time
        django.setup()
        from matching.search.backends.tantivy import TantivySearchBackend
        from matching.search.backends.base import SearchQuery
        from tests.matching.test_tantivy_index import _document
        backend = TantivySearchBackend({{"PATH": {str(index_dir)!r}}})
        """
    ) + textwrap.dedent(code)
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_write_is_visible_to_another_worker_at_its_next_query(tmp_path: Path) -> None:
    reader, writer = _worker(tmp_path), _worker(tmp_path)
    assert _ids(reader) == set()
    writer.index([_document(1)])
    assert _ids(reader, "鼓风机") == {1}
    writer.index([replace(_document(1), searchable=False)])
    assert _ids(reader, "鼓风机") == set()


def test_a_write_in_one_process_is_seen_by_the_next_query_of_another_process(
    tmp_path: Path,
) -> None:
    """Visibility does not wait for a timer: the reader's first query after the write's
    commit finds it (so within 1 s whatever the load of the machine)."""
    _worker(tmp_path).count()  # the index exists before both processes start
    reader = _run_python(
        """
        assert backend.search(SearchQuery(text="鼓风机")).total == 0
        print("ready", flush=True)
        sys.stdin.readline()  # the write has been committed
        print(backend.search(SearchQuery(text="鼓风机")).total, flush=True)
        """,
        tmp_path,
    )
    assert reader.stdout is not None and reader.stdin is not None
    assert reader.stdout.readline().strip() == "ready"
    _worker(tmp_path).index([_document(7)])
    reader.stdin.write("go\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "1"
    assert reader.wait(timeout=60) == 0


def test_writers_in_several_processes_wait_for_each_other(tmp_path: Path) -> None:
    _worker(tmp_path).count()
    writers = [
        _run_python(
            f"""
            for n in range(5):
                backend.index([_document({base} + n)])
            """,
            tmp_path,
        )
        for base in (100, 200, 300)
    ]
    assert [process.wait(timeout=120) for process in writers] == [0, 0, 0]
    assert _ids(_worker(tmp_path)) == {base + n for base in (100, 200, 300) for n in range(5)}


def test_a_search_during_a_rebuild_sees_the_old_index_until_it_is_complete(
    tmp_path: Path,
) -> None:
    builder, reader = _worker(tmp_path), _worker(tmp_path)
    builder.index([_document(1), _document(2)])
    seen_during: list[set[int]] = []

    def documents():
        yield _document(10)
        seen_during.append(_ids(reader))
        yield _document(11)

    assert builder.rebuild(documents()) == 2
    assert seen_during == [{1, 2}]
    assert _ids(reader) == {10, 11}
    assert len(list((tmp_path / "generations").iterdir())) == 2, "the previous one is kept"
    assert builder.rebuild([_document(12)]) == 1
    assert len(list((tmp_path / "generations").iterdir())) == 2, "older ones are removed"


def test_writes_during_a_rebuild_reach_the_new_index(tmp_path: Path) -> None:
    builder, other_worker = _worker(tmp_path), _worker(tmp_path)
    other_worker.index([_document(1), _document(2)])

    def documents():
        yield _document(1)
        yield _document(2)
        # Another worker writes after the rebuild read these listings.
        other_worker.index([_document(3), replace(_document(1), title="氢燃料电池")])
        other_worker.delete("result", [2])
        yield _document(4)

    builder.rebuild(documents())
    assert _ids(other_worker) == {1, 3, 4}
    stored = other_worker.stored_document("result", 1)
    assert stored is not None and stored["title"] == "氢燃料电池"
    assert not (tmp_path / "journal.jsonl").exists()
    assert not (tmp_path / "BUILDING").exists()


def test_a_failed_rebuild_keeps_the_old_index(tmp_path: Path) -> None:
    backend = _worker(tmp_path)
    backend.index([_document(1)])

    def documents():
        yield _document(10)
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(documents())
    assert _ids(backend) == {1}
    assert len(list((tmp_path / "generations").iterdir())) == 1
    assert not (tmp_path / "BUILDING").exists(), "later writes are not journaled"


def test_the_stored_document_holds_texts_and_index_terms(tmp_path: Path) -> None:
    backend = _worker(tmp_path)
    backend.index([_document(3)])
    stored = backend.stored_document("result", 3)
    assert stored is not None
    assert stored["title"] == "磁悬浮鼓风机节能改造"
    assert "鼓风机" in stored["terms"]["title"]
    assert backend.stored_document("result", 4) is None


@pytest.mark.django_db
def test_documents_analysed_in_worker_processes_equal_those_analysed_here() -> None:
    """The parallel analysis of a rebuild gives the very field values of a single write, on
    every bundled listing."""
    from marketplace.importing import import_listings
    from matching.search.analysis_pool import analysed
    from matching.search.backends.tantivy.schema import fields_of
    from matching.search.documents import documents_for_all
    from tests.bundled import NEEDS, RESULTS

    import_listings(path=RESULTS, kind="result")
    import_listings(path=NEEDS, kind="need")
    documents = list(documents_for_all())
    assert len(documents) > 200
    parallel = list(analysed(documents, fields_of, 2, parallel_from=10))
    assert parallel == [fields_of(document) for document in documents]


def test_the_ids_a_filter_selects_are_exact_also_beyond_the_ids_recency_carries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which of the nearest listings pass the filters is read from the recency column for
    ids below 2**26, without loading a stored document; a larger id (whose low bits equal a
    smaller one's) is still told apart, from the stored keys."""
    from matching.search.backends.tantivy import queries
    from matching.search.backends.tantivy.schema import ID_BITS_LIMIT

    backend = _worker(tmp_path / "index")
    small, large = 7, ID_BITS_LIMIT + 7
    backend.index([_document(small), replace(_document(large), province="天津")])
    beijing = queries.filters_of(SearchQuery(kind="result", provinces=["北京"]))
    everywhere = queries.filters_of(SearchQuery(kind="result"))

    opened = backend._searcher

    class WithoutStoredDocuments:
        def __init__(self, searcher: Any) -> None:
            self.searcher = searcher

        def __getattr__(self, name: str) -> Any:
            return getattr(self.searcher, name)

        def doc(self, address: Any) -> Any:
            raise AssertionError("a stored document was loaded")

    with monkeypatch.context() as patched:
        patched.setattr(backend, "_searcher", lambda: WithoutStoredDocuments(opened()))
        assert backend._selected_ids("result", [small], *beijing) == {small}
        assert backend._selected_ids("result", [small, 8], *everywhere) == {small}
    assert backend._selected_ids("result", [small, large], *beijing) == {small}
    assert backend._selected_ids("result", [small, large], *everywhere) == {small, large}
