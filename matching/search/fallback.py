"""What the search box shows when no listing has the words typed: fewer words, then meaning.

A search box query first needs its words (`SearchQuery` as typed: all groups of a one- or
two-group query, half of a longer one). When nothing matches and there is text, two more
tries follow, each only if the one before found nothing, and the answer says which one
answered (`MatchMode`), so pages and the API can label the hits:

1. `some_words`: the same query relaxed (`SearchQuery.relaxed`), any one word group is enough
   (Algolia's removeWordsIfNoResults, Elasticsearch's lowered minimum_should_match), ranked
   by BM25 and, with an embedder, its first 100 hits ordered by the query's meaning
   (`matching.search.meaning_rerank`);
2. `meaning`: the listings nearest to the embedding of the query's first `MEANING_CHARS` (64)
   characters (kept per process for the last 1,024 queries) (`BaseSearchBackend.
   nearest_listings`, the same filters), at most `settings.SEARCH_MEANING_LIMIT` (20), with a
   cosine of at least `settings.SEARCH_MEANING_MIN_COSINE`, best first, without facets. Only
   with an embedder (`matching.semantic.embedders`); the score of these hits is the cosine.

On the demo data "钢渣堆积如山" has no listing with both words; the relaxed query finds the slag
listings by 钢渣. "废料堆放占地" shares no word with any listing and finds listings by
meaning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from django.conf import settings

from matching.search import analysis, get_search_backend
from matching.search.backends.base import (
    BaseSearchBackend,
    QueryVector,
    SearchQuery,
    SearchResults,
)
from matching.search.meaning_rerank import relaxed_by_meaning
from matching.semantic.embedders import get_embedder


class MatchMode(StrEnum):
    """How the hits of a search were found."""

    ALL_WORDS = "all_words"  # the query as typed (or no text: the newest listings)
    SOME_WORDS = "some_words"  # relaxed: any one word group
    MEANING = "meaning"  # nearest by embedding


@dataclass(frozen=True)
class FoundListings:
    """The page of hits of a search and how they were found."""

    results: SearchResults
    mode: MatchMode


def search_listings(query: SearchQuery, backend: BaseSearchBackend | None = None) -> FoundListings:
    """`query` answered by `backend` (the default one): as typed, else relaxed, else by
    meaning, each try only when the one before found no listing (see the module). Raises
    SearchUnavailable when the search service is down."""
    return _first_answer(backend or get_search_backend(), query, _relaxed)


def answering_mode(query: SearchQuery, backend: BaseSearchBackend) -> MatchMode:
    """Which try answers `query` now (the mode `search_listings` labels its hits with), from
    the totals of one-hit pages: no re-ordering, highlights or facets. Raises
    SearchUnavailable when the search service is down."""
    probe = replace(query, page=1, page_size=1, with_facets=False, with_highlights=False)
    return _first_answer(backend, probe, lambda b, relaxed: b.search(relaxed)).mode


def _first_answer(
    backend: BaseSearchBackend,
    query: SearchQuery,
    relaxed_search: Callable[[BaseSearchBackend, SearchQuery], SearchResults],
) -> FoundListings:
    results = backend.search(query)
    if results.total or not query.text.strip():
        return FoundListings(results, MatchMode.ALL_WORDS)
    if word_groups(query.text) > 1:  # with one group, relaxed is the same query
        relaxed = relaxed_search(backend, replace(query, relaxed=True))
        if relaxed.total:
            return FoundListings(relaxed, MatchMode.SOME_WORDS)
    nearest = by_meaning(backend, query)
    if nearest is None or not nearest.total:
        return FoundListings(results, MatchMode.ALL_WORDS)
    return FoundListings(nearest, MatchMode.MEANING)


def word_groups(text: str) -> int:
    """How many word groups a search for `text` has (the backends' plans have the same
    groups; their settings change weights, not groups); 2 when the synonym file cannot be
    read (the relaxed search is then tried, and the backend answers as it can)."""
    try:
        table = analysis.synonyms()
    except OSError:
        return 2
    return len(analysis.plan_query(text, table, analysis.PlanSettings()).groups)


#: The characters of a query that are embedded: the embedding costs about 1 ms a token (a
#: 200-character query took 0.5 s, and one process embeds one text at a time); a query
#: stating a problem says it in its first words.
MEANING_CHARS = 64


@lru_cache(maxsize=1024)
def _query_vector(model: str, text: str) -> QueryVector:
    """The query vector of `text` by the configured embedder (named `model`, part of the key
    so that another embedder never reuses it), kept for the last 1,024 texts of this
    process."""
    embedder = get_embedder()
    assert embedder is not None and embedder.name == model
    return QueryVector(tuple(float(x) for x in embedder.query(text)), model)


def _relaxed(backend: BaseSearchBackend, query: SearchQuery) -> SearchResults:
    """The relaxed search `query`, its first hits ordered by the query's meaning when
    there is an embedder (`matching.search.meaning_rerank`)."""
    embedder = get_embedder()
    if embedder is None:
        return backend.search(query)
    text = query.text.strip()[:MEANING_CHARS]
    return relaxed_by_meaning(backend, query, lambda: _query_vector(embedder.name, text))


def meaning_limit() -> int:
    """How many listings a search answered by meaning shows at most
    (settings.SEARCH_MEANING_LIMIT, 20 by default)."""
    return int(getattr(settings, "SEARCH_MEANING_LIMIT", 20))


def by_meaning(backend: BaseSearchBackend, query: SearchQuery) -> SearchResults | None:
    """The page `query.page` of the listings nearest to the query text's embedding that pass
    its filters and the floor (at most `meaning_limit()` in all); None without an
    embedder."""
    embedder = get_embedder()
    if embedder is None:
        return None
    vector = _query_vector(embedder.name, query.text.strip()[:MEANING_CHARS])
    limit = meaning_limit()
    floor = float(getattr(settings, "SEARCH_MEANING_MIN_COSINE", 0.0))
    nearest = backend.nearest_listings(vector, replace(query, text=""), limit)
    hits = [hit for hit in nearest if hit.score >= floor]
    page, page_size = max(1, query.page), max(1, query.page_size)
    start = (page - 1) * page_size
    return SearchResults(hits[start : start + page_size], len(hits), page, page_size, {})
