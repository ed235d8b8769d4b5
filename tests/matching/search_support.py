"""Real bundled listings for the search tests, loaded once per test module.

`load_real_listings()` imports data/results.json and data/needs.json with the project's
importer (`marketplace.importing.import_listings`, as `manage.py import_listings` does) and
rebuilds every configured search backend. The search test modules use it from a
module-scoped fixture (tests then run in transactions that roll back, so the data stays
unchanged for the next test) and call `remove_real_listings()` at the end.
"""

from __future__ import annotations

import re
from typing import Any

from marketplace.models import Organization, ResearchResult, TechnologyNeed
from matching.models import MatchRequest
from matching.search import backend_names, get_search_backend
from matching.search.backends.base import IndexDocument, ListingKind
from tests.bundled import load_bundled


def load_real_listings() -> None:
    load_bundled()


def remove_real_listings() -> None:
    MatchRequest.objects.all().delete()
    ResearchResult.objects.all().delete()
    TechnologyNeed.objects.all().delete()
    Organization.objects.all().delete()
    for name in backend_names():
        get_search_backend(name).rebuild([])


def listing_text(listing: ResearchResult | TechnologyNeed) -> str:
    """Title, keywords and body of a listing, as one string (for expected-value checks)."""
    return "\n".join([listing.title, *listing.keywords, listing.body])


def all_listings() -> list[ResearchResult | TechnologyNeed]:
    return [*ResearchResult.objects.all(), *TechnologyNeed.objects.all()]


def key(listing: ResearchResult | TechnologyNeed) -> tuple[str, int]:
    return ("result" if isinstance(listing, ResearchResult) else "need", listing.pk)


def contains_word(text: str, word: str) -> bool:
    """English whole-word test, case-insensitive, plural-tolerant."""
    return re.search(rf"\b{re.escape(word)}s?\b", text, flags=re.IGNORECASE) is not None


def index_document(
    kind: ListingKind = "result", object_id: int = 1, **values: Any
) -> IndexDocument:
    """A listing's index document made by hand: blank values but those given."""
    blank: dict[str, Any] = {
        "title": "", "title_en": "", "body": "", "keywords": (), "ipc": (), "field": "",
        "province": "", "city": "", "trl": None, "stage": "", "modes": (),
        "price_min_cny": None, "price_max_cny": None, "owner_name": "", "expires_at": None,
    }  # fmt: skip
    return IndexDocument(kind=kind, object_id=object_id, **{**blank, **values})

