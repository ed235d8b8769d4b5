"""The search outbox: every listing change leaves a row in the same transaction, the on-commit
fast path applies it, and `drain_outbox`/`manage.py search_sync` retry what failed, with
backoff, deleting rows only once every backend accepted them.

These run on the embedded backend (no service needed), each on an index of its own; the
Elasticsearch outage is in test_es_outage.py. The embedded backend's "outage" is real: its
index directory is moved away and a plain file stands in its place.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from marketplace.choices import ListingStatus
from marketplace.models import ResearchResult
from matching.models import SearchOutbox
from matching.search import get_search_backend
from matching.search.backends.base import IndexDocument
from matching.search.backends.tantivy import TantivySearchBackend
from matching.search.sync import (
    drain_outbox,
    outbox_release,
    outbox_snapshot,
    outbox_stats,
    retry_delay,
    sync_outbox_rows,
)
from tests import factories
from tests.matching.es_support import embedded_config


@pytest.fixture
def embedded(tmp_path) -> dict[str, Any]:
    """The embedded backend on an index of this test alone (empty at the start)."""
    return {**embedded_config(), "PATH": str(tmp_path / "index")}


@pytest.fixture(autouse=True)
def _embedded_only(settings, embedded):
    """Only the embedded backend, whatever ELASTICSEARCH_URL says (these test the outbox)."""
    settings.SEARCH_BACKENDS = {"default": embedded}
    settings.SEARCH_SYNC_RETRY_BASE_SECONDS = 10
    settings.SEARCH_SYNC_RETRY_MAX_SECONDS = 300


def _index_dir() -> Path:
    return Path(django_settings.SEARCH_BACKENDS["default"]["PATH"])


def _storage_away() -> None:
    """A real outage of the embedded backend: its index directory is gone, a plain file in
    its place (so it cannot be created again either)."""
    path = _index_dir()
    path.mkdir(parents=True, exist_ok=True)
    path.rename(path.with_name("away"))
    path.write_text("not an index")


def _storage_back() -> None:
    path = _index_dir()
    path.unlink()
    path.with_name("away").rename(path)


def _stored(kind: str, object_id: int) -> dict[str, Any] | None:
    """What the embedded index holds of a listing (None when it is not indexed)."""
    backend = get_search_backend()
    assert isinstance(backend, TantivySearchBackend)
    return backend.stored_document(kind, object_id)


def _rows(item: ResearchResult) -> list[SearchOutbox]:
    return list(SearchOutbox.objects.filter(kind="result", object_id=item.pk))


def _indexed(item: ResearchResult) -> bool:
    return _stored("result", item.pk) is not None


# --- rows are written in the caller's transaction ----------------------------------------------
@pytest.mark.django_db
def test_saving_a_listing_writes_an_outbox_row_inside_the_open_transaction() -> None:
    with transaction.atomic():
        item = factories.ResearchResultFactory()
        rows = _rows(item)
        assert rows, "the row exists before the commit"
        assert {row.op for row in rows} == {"index"}
        assert all(row.attempts == 0 and row.last_error == "" for row in rows)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_outbox_row() -> None:
    owner = factories.OrganizationFactory()
    before = SearchOutbox.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        item = factories.ResearchResultFactory(owner=owner)
        assert _rows(item)
        raise RuntimeError("the service failed after the save")
    assert SearchOutbox.objects.count() == before
    assert not ResearchResult.objects.filter(owner=owner).exists()
    assert _stored("result", item.pk) is None


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_fast_path_indexes_and_deletes_the_row() -> None:
    item = factories.ResearchResultFactory(title="磁悬浮鼓风机节能改造")
    assert _rows(item) == []
    entry = _stored("result", item.pk)
    assert entry is not None and entry["title"] == "磁悬浮鼓风机节能改造"
    assert SearchOutbox.objects.count() == 0


@pytest.mark.django_db
def test_deleting_a_listing_writes_a_delete_row_and_unindexes_it(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.ResearchResultFactory()
    assert _indexed(item)
    pk = item.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item.delete()
    assert [row.op for row in SearchOutbox.objects.filter(object_id=pk)] == ["delete"]
    for callback in callbacks:
        callback()
    assert _stored("result", pk) is None
    assert not SearchOutbox.objects.filter(object_id=pk).exists()


@pytest.mark.django_db
def test_the_changes_of_one_transaction_are_synced_by_one_callback(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        items = factories.ResearchResultFactory.create_batch(5)
        assert len(SearchOutbox.objects.all()) >= 5
    syncs = [c for c in callbacks if c.__qualname__.endswith("sync_search_index")]
    assert len(syncs) == 1
    assert all(_indexed(item) for item in items)
    assert SearchOutbox.objects.count() == 0


@pytest.mark.django_db
def test_renaming_an_organisation_queues_its_listings(django_capture_on_commit_callbacks) -> None:
    owner = factories.OrganizationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        items = factories.ResearchResultFactory.create_batch(3, owner=owner)
    assert SearchOutbox.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False):
        owner.legal_name = "北方新材料研究院"
        owner.save()
    assert {row.object_id for row in SearchOutbox.objects.all()} == {i.pk for i in items}


# --- the fast path fails: rows stay for the worker ---------------------------------------------
@pytest.mark.django_db
def test_a_write_during_a_search_outage_succeeds_and_stays_queued(
    django_capture_on_commit_callbacks, caplog
) -> None:
    _storage_away()
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.ResearchResultFactory(title="氢燃料电池双极板")
    item.refresh_from_db()
    assert item.title == "氢燃料电池双极板"
    rows = _rows(item)
    assert rows and all("default" in row.last_error for row in rows)
    assert all(row.attempts == 0 for row in rows), "the fast path does not back off"
    assert any("not indexed" in r.getMessage() for r in caplog.records)

    _storage_back()
    report = drain_outbox()
    assert report.done == len(rows) and report.failed == 0
    assert report.listings == 1 and report.indexed == 1
    assert _rows(item) == []
    assert _indexed(item)


# --- draining ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_drain_collapses_the_rows_of_one_listing_into_one_document() -> None:
    item = factories.ResearchResultFactory()
    for title in ("第一版", "第二版", "第三版"):
        item.title = title
        item.save()
    rows = _rows(item)
    assert len(rows) >= 4
    report = drain_outbox()
    summary = (report.rows, report.listings, report.indexed, report.done)
    assert summary == (len(rows), 1, 1, len(rows))
    assert (_stored("result", item.pk) or {}).get("title") == "第三版"
    assert SearchOutbox.objects.count() == 0
    assert report.remaining == 0


@pytest.mark.django_db
def test_drain_sends_the_current_state_not_the_recorded_op() -> None:
    item = factories.ResearchResultFactory()
    drain_outbox()
    assert _indexed(item)
    item.status = ListingStatus.ARCHIVED
    item.save()
    pk = item.pk
    item.delete()
    report = drain_outbox()
    assert report.deleted == 1 and report.indexed == 0
    assert _stored("result", pk) is None


@pytest.mark.django_db
def test_drain_works_in_batches_and_leaves_nothing_behind() -> None:
    items = factories.ResearchResultFactory.create_batch(7)
    report = drain_outbox(batch_size=2)
    assert report.batches >= 4
    assert report.listings == 7 and report.failed == 0
    assert all(_indexed(item) for item in items)
    assert SearchOutbox.objects.count() == 0


@pytest.mark.django_db
def test_failed_rows_back_off_exponentially_with_jitter_and_are_not_lost() -> None:
    item = factories.ResearchResultFactory()
    rows_before = len(_rows(item))
    _storage_away()
    started = timezone.now()
    report = drain_outbox()
    assert report.failed == rows_before and report.done == 0
    assert report.errors and "default" in report.errors[0]
    rows = _rows(item)
    assert len(rows) == rows_before
    for row in rows:
        assert row.attempts == 1
        # base 10 s, jitter x [0.5, 1.0]
        assert started + timedelta(seconds=5) <= row.next_attempt_at
        assert row.next_attempt_at <= timezone.now() + timedelta(seconds=10)

    assert drain_outbox().rows == 0, "nothing is due while backing off"
    again = drain_outbox(ignore_backoff=True)
    assert again.failed == rows_before
    for row in _rows(item):
        assert row.attempts == 2
        assert row.next_attempt_at >= started + timedelta(seconds=10)

    _storage_back()
    done = drain_outbox(ignore_backoff=True)
    assert done.done == rows_before and _indexed(item)
    assert SearchOutbox.objects.count() == 0


def test_retry_delay_grows_exponentially_up_to_the_cap(settings) -> None:
    settings.SEARCH_SYNC_RETRY_BASE_SECONDS = 2
    settings.SEARCH_SYNC_RETRY_MAX_SECONDS = 60
    for attempts, full in ((1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (40, 60)):
        for _ in range(20):
            seconds = retry_delay(attempts).total_seconds()
            assert full * 0.5 <= seconds <= full
    spread = {round(retry_delay(4).total_seconds(), 3) for _ in range(20)}
    assert len(spread) > 1, "jitter"


class ConcurrentEditBackend(TantivySearchBackend):
    """The embedded backend, while a concurrent writer edits the listing mid-sync (after the
    sync read the listing, before it finished sending)."""

    def index(self, documents):
        documents = list(documents)
        super().index(documents)
        for document in documents:
            if document.title == "旧标题":
                ResearchResult.objects.filter(pk=document.object_id).update(title="新标题")


@pytest.mark.django_db
def test_a_listing_changed_during_the_sync_stays_queued_until_the_new_state_is_sent(
    settings, embedded,
) -> None:
    settings.SEARCH_BACKENDS = {
        "default": {**embedded, "BACKEND": f"{__name__}.ConcurrentEditBackend"},
    }
    item = factories.ResearchResultFactory(title="旧标题")
    first = drain_outbox()
    assert first.requeued >= 1 and first.done == 0, "the old state was sent: keep the rows"
    assert (_stored("result", item.pk) or {}).get("title") == "旧标题"
    second = drain_outbox()
    assert second.done >= 1 and second.requeued == 0
    assert (_stored("result", item.pk) or {}).get("title") == "新标题"
    assert SearchOutbox.objects.count() == 0


class OverlappingSyncBackend(TantivySearchBackend):
    """The embedded backend while two syncs of one listing overlap: after the first read the
    listing (old title) and before its send lands, the listing changes and a second sync reads
    the new state, sends it and deletes every row of the listing; then the first send lands."""

    def index(self, documents):
        documents = list(documents)
        for document in documents:
            if document.title == "旧标题":
                ResearchResult.objects.filter(pk=document.object_id).update(title="新标题")
                ids = SearchOutbox.objects.filter(kind="result", object_id=document.object_id)
                sync_outbox_rows(list(ids.values_list("pk", flat=True)))
        super().index(documents)


@pytest.mark.django_db
def test_a_sync_that_sent_an_older_state_last_queues_the_listing_again(
    settings, embedded,
) -> None:
    settings.SEARCH_BACKENDS = {
        "default": {**embedded, "BACKEND": f"{__name__}.OverlappingSyncBackend"},
    }
    item = factories.ResearchResultFactory(title="旧标题")
    drain_outbox()
    # The older state landed last, and the other sync had deleted the listing's rows.
    assert (_stored("result", item.pk) or {}).get("title") == "旧标题"
    assert _rows(item), "a new row, or the index keeps the old state until update_index"
    drain_outbox()
    assert (_stored("result", item.pk) or {}).get("title") == "新标题"
    assert SearchOutbox.objects.count() == 0


@pytest.mark.django_db
def test_a_row_is_deleted_only_when_every_backend_accepted_it(settings, embedded) -> None:
    """Two backends; the second (a real Elasticsearch client aimed at a port where nothing
    listens) is down: the embedded one is updated, the rows stay."""
    backend_path = "matching.search.backends.elasticsearch.ElasticsearchSearchBackend"
    settings.SEARCH_BACKENDS = {
        "default": embedded,
        "down": {"BACKEND": backend_path, "URL": "http://127.0.0.1:9", "TIMEOUT": 2},
    }
    item = factories.ResearchResultFactory()
    report = drain_outbox()
    assert report.failed == len(_rows(item)) > 0
    assert _indexed(item), "the backend that is up got the change"
    assert all(row.last_error.startswith("down:") for row in _rows(item))
    embedded_only = drain_outbox(backend_names=["default"], ignore_backoff=True)
    assert embedded_only.done > 0 and _rows(item) == []


# --- rebuilds ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_after_a_full_rebuild_covered_rows_are_due_at_once_but_kept() -> None:
    item = factories.ResearchResultFactory()
    later_in_backoff = timezone.now() + timedelta(minutes=5)
    SearchOutbox.objects.update(attempts=4, next_attempt_at=later_in_backoff)
    snapshot = outbox_snapshot()
    newer = factories.ResearchResultFactory()  # written after the rebuild started reading
    SearchOutbox.objects.filter(object_id=newer.pk).update(next_attempt_at=later_in_backoff)
    assert outbox_release(snapshot) == len(snapshot) > 0
    assert all(row.next_attempt_at <= timezone.now() for row in _rows(item))
    assert all(row.next_attempt_at == later_in_backoff for row in _rows(newer))
    report = drain_outbox()
    assert report.listings == 1 and report.done == len(snapshot)
    assert _indexed(item) and _rows(newer)


@pytest.mark.django_db
def test_outbox_stats_report_pending_due_and_attempts() -> None:
    factories.ResearchResultFactory()
    SearchOutbox.objects.update(attempts=3, next_attempt_at=timezone.now() + timedelta(hours=1))
    factories.TechnologyNeedFactory()
    stats = outbox_stats()
    assert stats["pending"] == SearchOutbox.objects.count() >= 2
    assert stats["due"] == SearchOutbox.objects.filter(kind="need").count()
    assert stats["max_attempts"] == 3


# --- the worker command ------------------------------------------------------------------------
@pytest.mark.django_db
def test_search_sync_once_drains_the_outbox(capsys) -> None:
    items = factories.ResearchResultFactory.create_batch(3)
    call_command("search_sync", "--once")
    assert "0 failed" in capsys.readouterr().out
    assert SearchOutbox.objects.count() == 0
    assert all(_indexed(item) for item in items)


@pytest.mark.django_db
def test_search_sync_once_fails_loudly_and_keeps_rows_when_a_backend_is_down() -> None:
    factories.ResearchResultFactory()
    count = SearchOutbox.objects.count()
    _storage_away()
    with pytest.raises(CommandError, match="could not be synced"):
        call_command("search_sync", "--once")
    assert SearchOutbox.objects.count() == count


@pytest.mark.database_independent  # the worker has a SQLite file of its own
def test_search_sync_worker_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    """The long-running worker, as a real process on its own SQLite database."""
    root = Path(django_settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/worker.sqlite3",
        "ELASTICSEARCH_URL": "",
        "KEQIAO_SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(root / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=root, env=env, check=True, timeout=120)
    worker = subprocess.Popen(
        [*manage, "search_sync", "--interval", "0.2"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        first = worker.stdout.readline()
        assert "search_sync: 0 queued" in first
        time.sleep(0.5)  # a few passes
        assert worker.poll() is None, "still running"
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0
    assert "stopped" in output


def test_index_document_equality_is_by_value() -> None:
    """The sync compares states by value (see sync._sync_rows)."""
    fields = {
        "kind": "result", "object_id": 1, "title": "t", "title_en": "", "body": "b",
        "keywords": ("k",), "ipc": (), "field": "", "province": "", "city": "", "trl": None,
        "stage": "", "modes": (), "price_min_cny": None, "price_max_cny": None,
        "owner_name": "o", "expires_at": None,
    }
    assert IndexDocument(**fields) == IndexDocument(**fields)  # type: ignore[arg-type]
