"""Search and matching at scale through a real HTTP server (gunicorn), with the embedded
Tantivy backend and, given a node, Elasticsearch: index build time, first query after start,
p50/p95 of the search and match APIs under concurrent clients, and the workers' memory.
Prints one table per size and a summary against the targets.

Usage (a throw-away SQLite database and index directory in /tmp, never the development ones):

    .venv/bin/python benchmarks/search_scale.py [--n 1000,10000,100000] [--clients 4]
        [--workers 4] [--repeat 20] [--matches 5] [--match-repeat 5]
    ELASTICSEARCH_URL=http://127.0.0.1:9850 .venv/bin/python benchmarks/search_scale.py ...
    .venv/bin/python benchmarks/search_scale.py --n 1000000      # embedded only: add --url ""

Sizes are cumulative: listings generated from the bundled real ones (benchmarks/synthetic.py)
are added up to each size in turn, each with a stored vector copied from the bundled listing
it recombines (`synthetic.copy_vectors`: the matches then run hybrid, semantic candidates and
phrases included; embedding them all is timed by benchmarks/embedding_scale.py). At each size:

1. build: `TantivySearchBackend.rebuild(documents_for_all())` into a new index directory, timed
   (docs/s). With a node (--url or ELASTICSEARCH_URL): the Elasticsearch backend's rebuild and
   Elasticsearch's own bulk rate on the same JSON bodies (benchmarks/es_scale.py).
2. HTTP, embedded: `gunicorn -c gunicorn.conf.py --workers W --bind 127.0.0.1:<free port>
   --max-requests 0` with DATABASE_URL and KEQIAO_SEARCH_INDEX_DIR of the benchmark,
   ELASTICSEARCH_URL empty, DJANGO_DEBUG off (a random DJANGO_SECRET_KEY), KEQIAO_VAR_DIR in the
   temporary directory (this process uses the same one, so the seal keys exist, as after a
   restart of a running site) and the search and matches rate limits raised to
   100000/s (per second: the limit is still counted on every call, as in production, but the
   sliding window stays short). Measured: "first answer", the seconds from starting gunicorn to
   the first 200 of GET /api/v1/search/?q=储能 (polled every 10 ms) and that request's own ms
   (the vector snapshots are saved after the rebuild, as `update_index` does, so the first
   start reads them as a site's first start after its set-up does; the same again after a
   restart, once the run is over);
   then, after an untimed warm-up (each distinct call once per worker), `--clients` threads
   send the shuffled plan: every query of search_compare.SEARCHES `--repeat` times to
   /api/v1/search/, and the need→results and result→needs matches of the first `--matches`
   needs and results (the bundled ones) `--match-repeat` times each; p50/p95 in ms from send to
   last byte (http.client, a new connection per call, as gunicorn's sync workers close
   each one). After the run: VmRSS (includes the shared, memory-mapped index pages, counted
   in each worker) and RssAnon (the worker's own heap) of each worker (children of the master,
   /proc/<pid>/status); the table shows the max and the VmRSS sum, and the workers' CPU time
   (user + system, /proc/<pid>/stat) during the timed run per call: unlike the latencies it
   hardly depends on what else runs on the machine.
3. HTTP, Elasticsearch (with a node): the same run with ELASTICSEARCH_URL set, then "ES direct":
   the Elasticsearch requests that one API call makes (recorded once per distinct call in this
   process with search_compare.Recorder: the _search bodies, and matching's _termvectors),
   replayed straight to the node in the same plan and with the same number of clients. The
   ratio is API p50 / direct p50: what Keqiao (gunicorn, Django, DRF, the database, JSON) adds
   around Elasticsearch's own time (which here includes HTTP on loopback).

The machine's load matters: other processes on the same cores make every number noisier.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from es_scale import ElasticsearchSide
from http_load import request_plan, run_load
from http_server import GunicornServer, http_get
from scale_report import HttpRun, SizeResult, size_report, summary_report
from search_compare import SEARCHES
from synthetic import copy_vectors, create_listings, setup_django

EMBEDDED = "matching.search.backends.tantivy.TantivySearchBackend"
RATES = "search=100000/s,search_ip=100000/s,matches=100000/s,matches_ip=100000/s"
SEARCH_PATH = "/api/v1/search/"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", default="1000,10000,100000", help="sizes, comma-separated")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per search query")
    parser.add_argument("--matches", type=int, default=5, help="needs and results to match")
    parser.add_argument("--match-repeat", type=int, default=5, help="timed calls per match")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--prefix", default="kqscale", help="ES index prefix (dropped at end)")
    parser.add_argument("--url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    return parser.parse_args()


def search_calls() -> list[tuple[str, str]]:
    return [
        (label, f"{SEARCH_PATH}?{urlencode(params)}" if params else SEARCH_PATH)
        for label, params in SEARCHES
    ]


def match_calls(count: int) -> list[tuple[str, str]]:
    """Match API paths of the first `count` needs and results (by id: the bundled ones)."""
    from django.urls import reverse

    from marketplace.models import ResearchResult, TechnologyNeed

    needs = TechnologyNeed.objects.order_by("pk").values_list("pk", flat=True)[:count]
    results = ResearchResult.objects.order_by("pk").values_list("pk", flat=True)[:count]
    return [("match need→results", reverse("api-need-matches", args=[pk])) for pk in needs] + [
        ("match result→needs", reverse("api-research-result-matches", args=[pk]))
        for pk in results
    ]


def server_env(var_dir: Path, index_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    """The environment of gunicorn (see the module docstring); `extra` last."""
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    env.update(
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        KEQIAO_VAR_DIR=str(var_dir),
        KEQIAO_SEARCH_INDEX_DIR=str(index_dir),
        KEQIAO_THROTTLE_RATES=RATES,
        ELASTICSEARCH_URL="",
    )
    env.update(extra)
    return env


def http_run(
    env: dict[str, str],
    distinct: list[tuple[str, str]],
    plan: list[tuple[str, str]],
    args: argparse.Namespace,
    log: Path,
) -> HttpRun:
    """Start gunicorn, time its first answer, warm up, run the plan, read worker memory."""
    with GunicornServer(env, workers=args.workers, log=log) as server:
        first = server.wait_for(distinct[0][1])

        def call(path: str) -> str | None:
            status, body = http_get(server.port, path)
            return None if status == 200 else f"{status} {path}: {body[:200]!r}"

        warm_up = run_load(
            request_plan(distinct, repeat=args.workers, seed=args.seed), call,
            clients=args.clients,
        )
        if warm_up.error_count:
            raise RuntimeError(f"warm-up failed: {warm_up.errors}; see {log}")
        cpu_before = server.worker_cpu_seconds()
        load = run_load(plan, call, clients=args.clients)
        cpu = server.worker_cpu_seconds() - cpu_before
        memory = server.worker_memory()
    # A restart (a release): what the first start left on disk (the vector snapshots) is read.
    with GunicornServer(env, workers=args.workers, log=log) as server:
        restart = server.wait_for(distinct[0][1])
    return HttpRun(first, load, memory, cpu, restart)


def embedded_rebuild(index_dir: Path) -> tuple[int, float]:
    from django.test.utils import override_settings

    from matching.search import get_search_backend
    from matching.search.documents import documents_for_all

    with override_settings(SEARCH_BACKENDS={"default": {"BACKEND": EMBEDDED,
                                                        "PATH": str(index_dir)}}):
        backend = get_search_backend()
        started = time.perf_counter()
        count = backend.rebuild(documents_for_all())
        return count, time.perf_counter() - started


def save_snapshots() -> float | None:
    """What `update_index` does after its rebuild: save the vector snapshots that gunicorn's
    first start reads (`matching.semantic.preload.save_vector_snapshots`). Returns seconds,
    or None when snapshots are off (MATCHING_VECTOR_SNAPSHOTS empty)."""
    from matching.semantic.preload import save_vector_snapshots

    started = time.perf_counter()
    if not save_vector_snapshots():
        return None
    return time.perf_counter() - started


def run_size(
    n: int, args: argparse.Namespace, tmp: Path, es: ElasticsearchSide | None
) -> SizeResult:
    from marketplace.models import ResearchResult, TechnologyNeed

    have = ResearchResult.objects.count() + TechnologyNeed.objects.count()
    started = time.perf_counter()
    total = create_listings(n - have, seed=args.seed + n) if n > have else have
    vectors = copy_vectors()
    generated = time.perf_counter() - started
    print(f"[{n:,}] {vectors:,} vectors stored (copied, see synthetic.copy_vectors)", flush=True)
    print(f"\n[{n:,}] {total:,} listings ({generated:.1f}s); rebuilding", flush=True)
    index_dir = tmp / f"index-{n}"
    count, seconds = embedded_rebuild(index_dir)
    snapshot_seconds = save_snapshots()
    if snapshot_seconds is None:
        print(f"[{n:,}] vector snapshots off (KEQIAO_VECTOR_SNAPSHOTS empty)", flush=True)
    else:
        print(f"[{n:,}] vector snapshots saved in {snapshot_seconds:.1f}s (as update_index "
              "does)", flush=True)
    searches, matches = search_calls(), match_calls(args.matches)
    distinct = searches + matches
    plan = request_plan(searches, repeat=args.repeat, seed=args.seed) + request_plan(
        matches, repeat=args.match_repeat, seed=args.seed
    )
    plan = request_plan(plan, repeat=1, seed=args.seed + 1)
    var_dir = Path(os.environ["KEQIAO_VAR_DIR"])
    print(f"[{n:,}] rebuilt in {seconds:.1f}s; gunicorn (embedded)", flush=True)
    embedded = http_run(server_env(var_dir, index_dir, {}), distinct, plan, args,
                        tmp / f"gunicorn-embedded-{n}.log")
    result = SizeResult(
        n, total, generated, count, seconds, [label for label, _ in searches],
        sorted({label for label, _ in matches}), embedded,
    )
    if es is not None:
        print(f"[{n:,}] Elasticsearch: rebuild, bulk, gunicorn, direct", flush=True)
        result.es_build = es.build()
        result.es = http_run(server_env(var_dir, index_dir, es.server_env()), distinct, plan,
                             args, tmp / f"gunicorn-es-{n}.log")
        es.capture([path for _, path in distinct])
        result.direct = es.direct_load(plan, clients=args.clients)
    return result


def main() -> None:
    args = parse_args()
    sizes = sorted(int(size) for size in args.n.split(","))
    if args.url and max(sizes) > 100_000:
        raise SystemExit("sizes over 100000 are for the embedded engine only: pass --url ''")
    tmp = Path(tempfile.mkdtemp(prefix="keqiao-scale-"))
    # This process and the servers share VAR_DIR (seal keys).
    os.environ["KEQIAO_VAR_DIR"] = str(tmp / "var")
    database_dir = setup_django()
    print(f"database {database_dir}; index, var and gunicorn logs {tmp}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    es = ElasticsearchSide(args.url, args.prefix) if args.url else None
    results = []
    try:
        for n in sizes:
            results.append(run_size(n, args, tmp, es))
            print("\n" + size_report(results[-1]), flush=True)
    finally:
        if es is not None:
            es.drop()
    print(f"\n=== summary ({os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f})")
    print(summary_report(results))


if __name__ == "__main__":
    main()
