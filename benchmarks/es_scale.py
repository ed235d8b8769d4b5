"""The Elasticsearch side of benchmarks/search_scale.py (only with a node: --url or
ELASTICSEARCH_URL); Django must be set up (synthetic.setup_django) before any call.

- `ElasticsearchSide.build()`: the backend's full rebuild from the database (timed end to end:
  bodies, bulk, refresh, alias swap), then Elasticsearch's own bulk rate: the same JSON bodies
  (`source_for`, built beforehand and timed apart) sent with `elasticsearch.helpers.bulk` into
  a new index with the same mapping, plus a refresh (as benchmarks/es_bulk.py).
- `ElasticsearchSide.capture(paths)`: each API path called once in this process (Django's test
  client, Elasticsearch as the default backend), recording the requests the backend sent
  (search_compare.Recorder: the _search bodies, and matching's _termvectors request).
- `ElasticsearchSide.direct_load(plan, clients)`: those recorded requests replayed straight
  to Elasticsearch with the client's perform_request, in the same order and with as many
  concurrent clients as the HTTP run: one call = every request one API call made, so its time
  is Elasticsearch's own time for that API call plus HTTP on loopback.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from http_load import Load, run_load
from search_compare import ES, Recorder


@dataclass(frozen=True)
class EsBuild:
    """Seconds of the backend's rebuild, of building the JSON bodies alone, and of the bulk
    API on those bodies; `count` documents each."""

    count: int
    rebuild_seconds: float
    bodies_seconds: float
    bulk_seconds: float

    @property
    def rebuild_rate(self) -> float:
        return self.count / self.rebuild_seconds

    @property
    def bulk_rate(self) -> float:
        return self.count / self.bulk_seconds


def raw_bulk(backend: Any, name: str, bodies: Sequence[tuple[str, Any]], chunk: int) -> float:
    """Seconds for Elasticsearch's own bulk API (`elasticsearch.helpers.bulk`, `chunk`
    documents a request) to load `bodies` ((id, JSON source) pairs) into a new index `name`
    with the backend's mapping and analysis, plus a refresh; the index is deleted afterwards."""
    from elasticsearch.helpers import bulk

    backend.client.indices.delete(index=name, ignore_unavailable=True)
    backend.index_definition(name).create()
    started = time.perf_counter()
    ok, errors = bulk(
        backend.client,
        ({"_index": name, "_id": key, "_source": body} for key, body in bodies),
        chunk_size=chunk,
        raise_on_error=False,
    )
    backend.client.indices.refresh(index=name)
    seconds = time.perf_counter() - started
    count = backend.client.count(index=name)["count"]
    backend.client.indices.delete(index=name)
    assert not errors and ok == count == len(bodies), (errors, ok, count, len(bodies))
    return seconds


class ElasticsearchSide:
    """The Elasticsearch backend at `url` under index prefix `prefix` (its indices are
    dropped by `drop`)."""

    def __init__(self, url: str, prefix: str, *, chunk: int = 500) -> None:
        self.url = url
        self.prefix = prefix
        self.config: dict[str, object] = {
            "BACKEND": ES, "URL": url, "INDEX_PREFIX": prefix, "TIMEOUT": 120,
            "BULK_CHUNK_SIZE": chunk,
        }
        self.chunk = chunk
        self._recorder: Recorder | None = None
        self._captured: dict[str, list[tuple[str, Any]]] = {}

    @contextmanager
    def as_default(self) -> Iterator[Any]:
        """This backend as the default of this process (the backend instance)."""
        from django.test.utils import override_settings

        from matching.search import get_search_backend

        with override_settings(SEARCH_BACKENDS={"default": self.config}):
            yield get_search_backend()

    def server_env(self) -> dict[str, str]:
        """What the gunicorn run needs to use this backend (settings: ELASTICSEARCH_URL)."""
        return {"ELASTICSEARCH_URL": self.url, "KEQIAO_ES_INDEX_PREFIX": self.prefix}

    def build(self) -> EsBuild:
        from synthetic import documents_with_vectors

        from matching.search.backends.elasticsearch.mapping import document_id, source_for

        with self.as_default() as backend:
            started = time.perf_counter()
            count = backend.rebuild(documents_with_vectors())
            rebuild_seconds = time.perf_counter() - started
            documents = list(documents_with_vectors())
            started = time.perf_counter()
            bodies = [(document_id(d.kind, d.object_id), source_for(d)) for d in documents]
            bodies_seconds = time.perf_counter() - started
            bulk_seconds = raw_bulk(backend, f"{self.prefix}-listings-raw", bodies, self.chunk)
        return EsBuild(count, rebuild_seconds, bodies_seconds, bulk_seconds)

    def capture(self, paths: Sequence[str]) -> None:
        """Record the Elasticsearch requests of one API call of each path."""
        from django.test import Client

        client = Client()
        self._captured = {}  # the requests depend on the index (matching's term statistics)
        with self.as_default() as backend:
            self._recorder = Recorder(backend)
            for path in paths:
                def call(path: str = path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.content[:300])

                self._captured[path] = self._recorder.capture(call)

    def direct_load(self, plan: Sequence[tuple[str, str]], *, clients: int) -> Load:
        """Replay the recorded requests of each planned path (see the module docstring)."""
        recorder = self._recorder
        assert recorder is not None, "capture() first"

        def replay(path: str) -> None:
            recorder.replay(self._captured[path])
            return None

        return run_load(plan, replay, clients=clients)

    def drop(self) -> None:
        with self.as_default() as backend:
            backend.drop_indices()
        self._captured.clear()
