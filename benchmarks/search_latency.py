"""Search latency of the configured default backend on the bundled listings.

Usage (uses a throw-away SQLite database, never the development one):

    .venv/bin/python benchmarks/search_latency.py [--repeat 50]

Imports data/results.json and data/needs.json, rebuilds the index, then times `search` for a
mix of Chinese, English, filtered and empty queries, and `more_like_this` for every need.
Prints a table of milliseconds (median, p95, max) per query type.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    ("zh word", {"text": "储能"}),
    ("zh word", {"text": "光伏"}),
    ("zh compound", {"text": "储能电池热管理"}),
    ("zh phrase", {"text": "钢渣堆积如山 占地污染"}),
    ("en words", {"text": "energy storage"}),
    ("en word", {"text": "hydrogen"}),
    ("zh + filters", {"text": "电池", "kind": "result", "trl_min": 5, "fields": ["new_energy"]}),
    ("empty + filters", {"provinces": ["河北", "天津"], "modes": ["joint_development"]}),
    ("empty", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="keqiao-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from marketplace.importing import import_listings
    from marketplace.models import TechnologyNeed
    from matching.search import get_search_backend
    from matching.search.backends.base import SearchQuery
    from matching.search.documents import document_for, documents_for_all

    call_command("migrate", verbosity=0)
    for name, kind in (("results.json", "result"), ("needs.json", "need")):
        import_listings(path=ROOT / "data" / name, kind=kind)
    backend = get_search_backend()
    started = time.perf_counter()
    count = backend.rebuild(documents_for_all())
    rebuild_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    backend.search(SearchQuery(text="储能"))  # first query loads the in-process cache
    cold_ms = (time.perf_counter() - started) * 1000

    timings: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        for label, params in QUERIES:
            started = time.perf_counter()
            backend.search(SearchQuery(**params))  # type: ignore[arg-type]
            timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)
    needs = [document_for(n) for n in TechnologyNeed.objects.select_related("owner")]
    for document in needs:
        started = time.perf_counter()
        backend.more_like_this(document, kind="result", limit=100)
        timings.setdefault("more_like_this", []).append((time.perf_counter() - started) * 1000)

    print(f"{count} listings indexed in {rebuild_ms:.0f} ms; first query {cold_ms:.0f} ms")
    print(f"{'query':<18}{'n':>6}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
    for label, values in timings.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(
            f"{label:<18}{len(values):>6}{statistics.median(values):>11.2f}{p95:>9.2f}"
            f"{values[-1]:>9.2f}"
        )


if __name__ == "__main__":
    main()
