"""The bundled real listings (data/) for tests: paths, raw records, and loading them into the
test database and the search index with the project's own importer and update_index code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from marketplace.importing import import_listings

DATA = Path(settings.BASE_DIR) / "data"
RESULTS = DATA / "results.json"
NEEDS = DATA / "needs.json"
QRELS = DATA / "qrels_dev.json"


def judged_sample(directory: Path, count: int) -> tuple[Path, Path]:
    """(needs file, judgements file) of the first `count` judged dev needs, written under
    `directory`: for tests of evaluate_matching's output, which need not pay for all of them."""
    qrels = json.loads(QRELS.read_text(encoding="utf-8"))
    needs = [n for n in json.loads(NEEDS.read_text(encoding="utf-8")) if n["id"] in qrels]
    sample = needs[:count]
    needs_path, qrels_path = directory / "needs.json", directory / "qrels.json"
    needs_path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    qrels_path.write_text(json.dumps({n["id"]: qrels[n["id"]] for n in sample}), encoding="utf-8")
    return needs_path, qrels_path


def raw_records() -> dict[str, dict[str, Any]]:
    """The bundled records by source id (R0001…, N0001…)."""
    records: dict[str, dict[str, Any]] = {}
    for path in (RESULTS, NEEDS):
        for record in json.loads(path.read_text(encoding="utf-8")):
            records[record["id"]] = record
    return records


def reindex() -> None:
    """Embed what is missing (when an embedder is configured) and rebuild every configured
    search backend from the database, with the vectors where the backend indexes them: what
    update_index does."""
    from matching.search import backend_names, get_search_backend
    from matching.search.documents import documents_for_all
    from matching.semantic.bulk import embed_missing
    from matching.semantic.store import documents_for_rebuild

    embed_missing(documents_for_all(), workers=1)
    for name in backend_names():
        backend = get_search_backend(name)
        backend.rebuild(documents_for_rebuild(backend))


def load_bundled(*, results: bool = True, needs: bool = True) -> None:
    """Import the bundled research results and/or needs as published listings, then reindex."""
    for wanted, path, kind in ((results, RESULTS, "result"), (needs, NEEDS, "need")):
        if wanted:
            report = import_listings(path=path, kind=kind)
            assert report.imported, report.errors[:3]
    reindex()


def load_bundled_results() -> None:
    """Import the 181 bundled research results as published listings, then reindex."""
    load_bundled(needs=False)
