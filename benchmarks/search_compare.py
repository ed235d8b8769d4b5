"""Search and match latency (p50/p95, ms) through the API on Elasticsearch, next to the same
queries sent straight to Elasticsearch in the same run, and the same API calls on the embedded
backend — at 10k and 100k listings by default.

Usage (a real node; a dedicated one is best, e.g. `ES_STATE_DIR=var/es-bench ES_PORT=9850
es/run.sh start`):

    ELASTICSEARCH_URL=http://127.0.0.1:9850 .venv/bin/python benchmarks/search_compare.py \\
        [--n 10000,100000] [--repeat 20]

Listings are generated from the bundled real ones by recombining their fields
(benchmarks/synthetic.py) into a throw-away SQLite database. For each size both backends are
rebuilt from the database, then for each query:

- "API": GET /api/v1/search/?... (or the matches endpoint) through Django's test client: URL
  routing, DRF, the backend, listing cards from the database, JSON;
- "ES direct": the very requests the backend sent to Elasticsearch for that API call (captured
  once: the _search bodies, and the _termvectors request of matching), replayed with the
  client's perform_request — Elasticsearch's own time plus HTTP on loopback;
- "ratio": API p50 / ES direct p50 (the overhead of Keqiao around Elasticsearch);
- "embedded": the same API call with the embedded backend (Tantivy) as the default.
Without a node (no ELASTICSEARCH_URL/--url) only the embedded columns are measured.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import create_listings, percentiles, setup_django, table

EMBEDDED_BACKEND = "matching.search.backends.tantivy.TantivySearchBackend"
ES = "matching.search.backends.elasticsearch.ElasticsearchSearchBackend"
SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("zh word 储能", {"q": "储能"}),
    ("zh word 光伏", {"q": "光伏"}),
    ("zh compound", {"q": "储能电池热管理"}),
    ("zh phrase", {"q": "钢渣堆积如山 占地污染"}),
    ("en words", {"q": "energy storage"}),
    ("en word", {"q": "hydrogen"}),
    ("zh + filters", {"q": "电池", "type": "result", "trl_min": 5, "field": "new_energy"}),
    ("filters only", {"province": "河北,天津", "mode": "joint_development"}),
    ("empty", {}),
]


class Recorder:
    """Captures the Elasticsearch requests the backend makes (to replay them directly): its
    _search and _msearch bodies and the term vectors of matching."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.calls: list[tuple[str, Any]] = []
        self.active = False
        execute = backend._execute
        execute_all = backend._execute_all
        termvectors = backend.client.termvectors

        def recording_execute(search: Any) -> Any:
            if self.active:
                self.calls.append(("search", (search._index or [backend.alias], search.to_dict())))
            return execute(search)

        def recording_execute_all(searches: list[Any], *, optional: int | None = None) -> Any:
            if self.active and searches:
                lines: list[Any] = []
                for search in searches:
                    lines += [{"index": backend.alias}, search.to_dict()]
                self.calls.append(("msearch", lines))
            return execute_all(searches, optional=optional)

        def recording_termvectors(**kwargs: Any) -> Any:
            if self.active:
                self.calls.append(("termvectors", kwargs))
            return termvectors(**kwargs)

        backend._execute = recording_execute
        backend._execute_all = recording_execute_all
        backend.client.termvectors = recording_termvectors
        self._termvectors = termvectors

    def capture(self, call: Callable[[], Any]) -> list[tuple[str, Any]]:
        self.calls, self.active = [], True
        try:
            call()
        finally:
            self.active = False
        return self.calls

    def replayer(self, calls: list[tuple[str, Any]]) -> Callable[[], None]:
        return lambda: self.replay(calls)

    def replay(self, calls: list[tuple[str, Any]]) -> None:
        client = self.backend.client
        for kind, payload in calls:
            if kind == "search":
                indices, body = payload
                index = ",".join(indices) if isinstance(indices, list | tuple) else str(indices)
                client.perform_request(
                    "POST",
                    f"/{index}/_search",
                    body=body,
                    headers={"content-type": "application/json", "accept": "application/json"},
                )
            elif kind == "msearch":
                client.msearch(searches=payload)
            else:
                self._termvectors(**payload)


class Collector:
    """add(label, column, values): timings[label][column] += values."""

    def __init__(self, timings: dict[str, dict[str, list[float]]]) -> None:
        self.timings = timings

    def __call__(self, label: str, column: str, values: list[float]) -> None:
        self.timings.setdefault(label, {}).setdefault(column, []).extend(values)


def timed(call: Callable[[], Any], repeat: int) -> list[float]:
    call()  # warm-up
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def api_call(client: Any, path: str, params: dict[str, Any]) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, params)
        assert response.status_code == 200, (path, params, response.content[:300])
        return response

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="10000,100000", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per query")
    parser.add_argument("--matches", type=int, default=10, help="needs and results to match")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--prefix", default="kqbench", help="index prefix (deleted at the end)")
    parser.add_argument("--url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    args = parser.parse_args()
    embedded = {
        "BACKEND": EMBEDDED_BACKEND,
        "PATH": tempfile.mkdtemp(prefix="keqiao-bench-index-"),
    }
    sizes = sorted(int(size) for size in args.n.split(","))

    setup_django()
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from marketplace.models import ResearchResult, TechnologyNeed
    from matching.search import get_search_backend
    from matching.search.documents import documents_for_all

    es_config = {"BACKEND": ES, "URL": args.url, "INDEX_PREFIX": args.prefix, "TIMEOUT": 120}
    client = Client()
    need_ids = list(TechnologyNeed.objects.order_by("pk").values_list("pk", flat=True))
    result_ids = list(ResearchResult.objects.order_by("pk").values_list("pk", flat=True))
    calls: list[tuple[str, str, dict[str, Any]]] = [
        (label, "/api/v1/search/", params) for label, params in SEARCHES
    ]
    matches = [
        ("match need→results", reverse("api-need-matches", args=[pk]))
        for pk in need_ids[: args.matches]
    ] + [
        ("match result→needs", reverse("api-research-result-matches", args=[pk]))
        for pk in result_ids[: args.matches]
    ]

    for size in sizes:
        have = ResearchResult.objects.count() + TechnologyNeed.objects.count()
        started = time.perf_counter()
        total = create_listings(size - have, seed=args.seed + size) if size > have else have
        print(f"\n=== {total:,} listings (generated in {time.perf_counter() - started:.1f}s)")
        timings: dict[str, dict[str, list[float]]] = {}
        add = Collector(timings)

        if args.url:
            with override_settings(SEARCH_BACKENDS={"default": es_config}):
                backend = get_search_backend()
                started = time.perf_counter()
                count = backend.rebuild(documents_for_all())
                seconds = time.perf_counter() - started
                print(f"Elasticsearch rebuilt: {count:,} docs in {seconds:.1f}s")
                recorder = Recorder(backend)
                for label, path, params in calls:
                    call = api_call(client, path, params)
                    add(label, "api", timed(call, args.repeat))
                    captured = recorder.capture(call)
                    add(label, "direct", timed(recorder.replayer(captured), args.repeat))
                for label, path in matches:
                    call = api_call(client, path, {})
                    add(label, "api", timed(call, max(1, args.repeat // 4)))
                    captured = recorder.capture(call)
                    add(label, "direct",
                        timed(recorder.replayer(captured), max(1, args.repeat // 4)))
                backend.drop_indices()  # type: ignore[attr-defined]
        with override_settings(SEARCH_BACKENDS={"default": embedded}):
            backend = get_search_backend()
            started = time.perf_counter()
            count = backend.rebuild(documents_for_all())
            print(f"embedded rebuilt: {count:,} docs in {time.perf_counter() - started:.1f}s")
            for label, path, params in calls:
                add(label, "embedded", timed(api_call(client, path, params), args.repeat))
            for label, path in matches:
                add(label, "embedded",
                    timed(api_call(client, path, {}), max(1, args.repeat // 4)))

        rows = []
        for label, columns in timings.items():
            row: list[Any] = [label]
            for column in ("api", "direct", "embedded"):
                values = columns.get(column)
                row += list(percentiles(values)) if values else ["-", "-"]
            api, direct = columns.get("api"), columns.get("direct")
            row.insert(5, f"{percentiles(api)[0] / percentiles(direct)[0]:.1f}x"
                       if api and direct else "-")
            rows.append(row)
        print(table(
            ["query (ms)", "API/ES p50", "p95", "ES direct p50", "p95", "ratio p50",
             "API/embedded p50", "p95"],
            rows,
        ))


if __name__ == "__main__":
    main()
