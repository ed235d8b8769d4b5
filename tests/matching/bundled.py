"""Loading the bundled research results (data/results.json) into the test database and the
search index, for the matcher, match API and evaluation tests."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from marketplace.importing import import_listings

DATA = Path(settings.BASE_DIR) / "data"
RESULTS = DATA / "results.json"
NEEDS = DATA / "needs.json"
QRELS = DATA / "qrels_dev.json"


def reindex() -> None:
    """Rebuild the search index from the listings in the database (what update_index does)."""
    from matching.search import get_search_backend
    from matching.search.documents import documents_for_all

    get_search_backend().rebuild(documents_for_all())


def load_bundled_results() -> None:
    """Import the 181 bundled research results as published listings, then reindex."""
    report = import_listings(path=RESULTS, kind="result")
    assert report.imported, report.errors[:3]
    reindex()
