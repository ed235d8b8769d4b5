"""Bulk indexing rate (docs/s) on Elasticsearch: the project's backend vs Elasticsearch's own
bulk API, for the same documents.

Usage (a real node; a dedicated one is best, e.g. `ES_STATE_DIR=var/es-bench ES_PORT=9850
es/run.sh start`):

    ELASTICSEARCH_URL=http://127.0.0.1:9850 .venv/bin/python benchmarks/es_bulk.py [--n 100000]

`--n` listings are generated from the bundled real ones by recombining their fields
(benchmarks/synthetic.py, `--seed`). Measured, each into a new index with the backend's
mapping and analysis (index prefix `--prefix`, deleted afterwards):

1. backend rebuild: `ElasticsearchSearchBackend.rebuild(documents)` end to end, i.e. building
   each JSON body (our segmentation in Python) + bulk load + refresh + count check + alias swap;
2. bodies only: building the same JSON bodies (`source_for`) without sending them;
3. ES bulk API: `elasticsearch.helpers.bulk` of those prebuilt JSON bodies (same chunk size),
   then a refresh — Elasticsearch's own rate for these documents.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from es_scale import raw_bulk
from synthetic import recombined_documents, setup_django, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="documents (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--chunk", type=int, default=500, help="documents per bulk request")
    parser.add_argument("--prefix", default="kqbench", help="index prefix (deleted at the end)")
    parser.add_argument("--url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    args = parser.parse_args()
    if not args.url:
        parser.error("set ELASTICSEARCH_URL or --url (a real Elasticsearch node)")

    setup_django()  # the embedded backend only; the Elasticsearch backend is built below
    from matching.search.backends.elasticsearch import ElasticsearchSearchBackend
    from matching.search.backends.elasticsearch.mapping import document_id, source_for

    backend = ElasticsearchSearchBackend(
        {"URL": args.url, "INDEX_PREFIX": args.prefix, "BULK_CHUNK_SIZE": args.chunk,
         "TIMEOUT": 120}
    )
    backend.drop_indices()
    started = time.perf_counter()
    documents = list(recombined_documents(args.n, seed=args.seed))
    generated = time.perf_counter() - started
    info = backend.client.info()
    print(
        f"Elasticsearch {info['version']['number']} at {args.url}; {len(documents):,} documents "
        f"recombined from the bundled listings in {generated:.1f}s (seed {args.seed}); "
        f"chunk {args.chunk}"
    )

    rows: list[list[Any]] = []
    # 1. the backend's rebuild, end to end
    started = time.perf_counter()
    count = backend.rebuild(iter(documents))
    seconds = time.perf_counter() - started
    assert backend.count() == count, "every document is searchable"
    rows.append(["backend rebuild (bodies + bulk + swap)", count, seconds, count / seconds])

    # 2. the JSON bodies alone
    started = time.perf_counter()
    bodies = [(document_id(d.kind, d.object_id), source_for(d)) for d in documents]
    body_seconds = time.perf_counter() - started
    rows.append(["building the JSON bodies only", len(bodies), body_seconds,
                 len(bodies) / body_seconds])

    # 3. Elasticsearch's own bulk API, same bodies, same mapping, new index
    raw_seconds = raw_bulk(backend, f"{args.prefix}-listings-raw", bodies, args.chunk)
    rows.append(["ES helpers.bulk of the same bodies", len(bodies), raw_seconds,
                 len(bodies) / raw_seconds])
    backend.drop_indices()

    print()
    print(table(["method", "docs", "seconds", "docs/s"], rows))
    print()
    print(
        f"backend / ES bulk rate: {rows[0][3] / rows[2][3]:.2f}; "
        f"backend time minus body building: {seconds - body_seconds:.1f}s "
        f"({count / max(seconds - body_seconds, 1e-9):,.0f} docs/s)"
    )


if __name__ == "__main__":
    main()
