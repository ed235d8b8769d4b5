"""The search backend interface (the Wagtail search-backend pattern).

A backend keeps a derived index of listings and answers ranked, filtered, faceted queries.
The database is the source of truth: every method here may be called again with the same
arguments (idempotent), and `rebuild` can always recreate the index from the listings.

Backends are configured in `settings.SEARCH_BACKENDS` and obtained with
`matching.search.get_search_backend()`. Two exist: the embedded Tantivy backend (default,
no service) and Elasticsearch (selected by `ELASTICSEARCH_URL`).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt

ListingKind = Literal["result", "need"]
#: Every listing kind, results first.
KINDS: tuple[ListingKind, ...] = ("result", "need")

#: Fields that get facet counts, in display order.
FACET_FIELDS: tuple[str, ...] = ("kind", "field", "province", "city", "stage", "modes", "trl")

#: Params that both bundled backends read, with the same defaults, so that both rank alike
#: (the parity tests): field boosts (title > title_en > keywords > body > character bigrams),
#: the largest page and the length of a body snippet (characters). The weights of query
#: plans are `matching.search.analysis.PlanSettings`.
RANKING_DEFAULTS: dict[str, Any] = {
    "boosts": {"title": 3.0, "title_en": 2.5, "keywords": 2.0, "body": 1.0, "grams": 0.3},
    "max_page_size": 100,
    "snippet_chars": 120,
}


def param(params: Mapping[str, object], name: str, defaults: Mapping[str, Any]) -> Any:
    """The SEARCH_BACKENDS param `name` (lower- or upper-case), else `defaults[name]`
    (KeyError when it has none)."""
    for key in (name, name.upper()):
        if key in params:
            return params[key]
    return defaults[name]


@dataclass(frozen=True)
class IndexDocument:
    """Plain data of one listing as the index sees it (no ORM objects).

    Built by `matching.search.documents.document_for(listing)`. `modes` holds transfer modes of
    a result or cooperation modes of a need (one vocabulary). `price_min_cny`/`price_max_cny`
    are the asking price (both the same) of a result or the budget range of a need, in CNY.
    `expires_at` is an aware UTC datetime or None; `searchable` is False for anything not
    published (such documents are removed from the index instead of stored).
    `published_at` (aware UTC datetime or None) orders text-less searches, newest first.
    `embedding` is the listing's stored vector (`matching.semantic.store`), set only where
    the sync and the rebuild attach it; backends with their own vector field index it.
    """

    kind: ListingKind
    object_id: int
    title: str
    title_en: str
    body: str
    keywords: tuple[str, ...]
    ipc: tuple[str, ...]
    field: str
    province: str
    city: str
    trl: int | None
    stage: str
    modes: tuple[str, ...]
    price_min_cny: Decimal | None
    price_max_cny: Decimal | None
    owner_name: str
    expires_at: datetime | None  # aware UTC
    searchable: bool = True
    published_at: datetime | None = None  # aware UTC
    embedding: tuple[float, ...] | None = None


@dataclass(frozen=True)
class SearchQuery:
    """A search request. All filters are optional; lists mean "any of".

    `trl_min`/`trl_max` bound the TRL inclusively. `price_min_cny`/`price_max_cny` keep
    listings whose price range overlaps the given range. `page` starts at 1.
    `exclude` drops the given (kind, object_id) pairs (e.g. the listing being matched).
    `with_terms` asks for each hit's index terms (`SearchHit.terms`).
    `relaxed` lets a listing that matches any one word group of `text` be a hit, instead of
    all groups of a one- or two-group query and half of a longer one
    (`matching.search.analysis.plan_query`): the search box's second try when nothing
    matched (`matching.search.fallback`).
    """

    text: str = ""
    kind: ListingKind | None = None
    fields: Sequence[str] = ()
    provinces: Sequence[str] = ()
    cities: Sequence[str] = ()
    stages: Sequence[str] = ()
    modes: Sequence[str] = ()
    trl_min: int | None = None
    trl_max: int | None = None
    price_min_cny: Decimal | None = None
    price_max_cny: Decimal | None = None
    page: int = 1
    page_size: int = 20
    with_facets: bool = True
    with_highlights: bool = True
    exclude: Sequence[tuple[ListingKind, int]] = ()
    with_terms: bool = False
    relaxed: bool = False

    def value_filters(self) -> list[tuple[str, list[str]]]:
        """(indexed field, accepted values) of each "any of" filter that is set, the kind
        included: what every backend turns into a terms filter."""
        pairs: list[tuple[str, Sequence[str]]] = [
            ("kind", [self.kind] if self.kind else []),
            ("field", self.fields),
            ("province", self.provinces),
            ("city", self.cities),
            ("stage", self.stages),
            ("modes", self.modes),
        ]
        return [(name, list(values)) for name, values in pairs if values]


#: The fields whose index terms `SearchHit.terms` holds (the text the matcher explains with).
TERM_FIELDS: tuple[str, ...] = ("title", "keywords", "body")


@dataclass(frozen=True)
class SearchHit:
    """One ranked hit. `score` is the backend's raw relevance (BM25 or equivalent, ≥ 0), or
    the cosine similarity (-1..1) of a hit found by meaning (`nearest_listings`).

    `highlights` maps an indexed field name ("title", "body", "keywords") to snippets: HTML
    with the user text escaped and matched terms wrapped in `<mark>`…`</mark>`.
    `terms` are the listing's index terms of `TERM_FIELDS` as stored at index time
    (`matching.search.analysis.document_terms`), given by `more_like_this` and by searches
    `with_terms` (both backends store them at index time); None otherwise, or for a document
    indexed before the backend stored them: the caller then segments the listing's text.
    """

    kind: ListingKind
    object_id: int
    score: float
    highlights: dict[str, list[str]] = field(default_factory=dict)
    terms: frozenset[str] | None = None


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, the total number of matching listings and facet counts.

    `facets` maps each of FACET_FIELDS to {value: count} over all matching listings (not only
    this page); counts of a facet ignore no filters (simple, predictable counts). It is {}
    when the query did not ask for facets, and for hits found by meaning
    (`matching.search.fallback`).
    """

    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    """One autocomplete suggestion: the listing text that starts with the typed prefix (a
    title, English title or keyword) and the listing it belongs to."""

    text: str
    kind: ListingKind
    object_id: int


def pool_query(
    document: IndexDocument,
    kind: ListingKind,
    fields: Sequence[str],
    *,
    page: int = 1,
    page_size: int = 100,
) -> SearchQuery:
    """The text-less query of a matching pool: listings of `kind` in `fields`, newest first,
    with their terms, `document` excluded."""
    return SearchQuery(
        kind=kind,
        fields=list(fields),
        page=page,
        page_size=page_size,
        with_facets=False,
        with_highlights=False,
        with_terms=True,
        exclude=[(document.kind, document.object_id)] if document.object_id else [],
    )


def similar_filters(
    document: IndexDocument, kind: ListingKind, query: SearchQuery | None = None
) -> SearchQuery:
    """The filters of a more-like-this search: `query`'s (its text dropped), listings of
    `kind`, `document` excluded."""
    base = query or SearchQuery()
    return replace(
        base, kind=kind, text="", exclude=(*base.exclude, (document.kind, document.object_id))
    )


@dataclass(frozen=True)
class QueryVector:
    """A listing's or a query's embedding for nearest-neighbour retrieval: `values`
    (L2-normalised) made by the embedder called `model` (`matching.semantic`)."""

    values: tuple[float, ...]
    model: str


@dataclass(frozen=True)
class Candidates:
    """What matching retrieves for one listing (`BaseSearchBackend.match_candidates`):
    `similar`, the more-like-this hits, best first; `pooled`, listings of the pool's fields,
    newest first (their `score` is 0); `semantic`, the nearest listings by embedding, best
    first, `score` their cosine similarity (-1..1; empty without a query vector). Lexical hits
    carry their index terms."""

    similar: list[SearchHit]
    pooled: list[SearchHit]
    semantic: list[SearchHit] = field(default_factory=list)


class SearchUnavailable(Exception):
    """The search service cannot answer now. APIs answer 503; writes still succeed."""


ProgressCallback = Callable[[int], None]


class BaseSearchBackend(abc.ABC):
    """Contract every search backend fulfils. The shared test suite
    (tests/matching/test_search_backends.py) runs against each configured backend."""

    #: Whether `index` and `rebuild` store `IndexDocument.embedding` (then the callers attach
    #: the stored vectors: `matching.semantic.store.with_stored_vectors`); backends that keep
    #: no vectors search the stored ones in process (`nearest_listings`).
    indexes_vectors: ClassVar[bool] = False

    def __init__(self, params: dict[str, object] | None = None) -> None:
        self.params = params or {}

    @abc.abstractmethod
    def index(self, documents: Iterable[IndexDocument]) -> None:
        """Add or replace documents; documents with `searchable=False` are removed.

        Called on commit after every listing change. Raises SearchUnavailable when the
        service is down (callers log it; the write itself has already succeeded).
        """

    @abc.abstractmethod
    def delete(self, kind: ListingKind, object_ids: Iterable[int]) -> None:
        """Remove documents if present (no error if absent)."""

    @abc.abstractmethod
    def rebuild(
        self, documents: Iterable[IndexDocument], *, progress: ProgressCallback | None = None
    ) -> int:
        """Replace the whole index with `documents`; returns how many were indexed.

        Searches made during a rebuild see either the old or the new index, never a half-built
        one. `progress` is called with the number of documents done so far.
        """

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked, filtered, faceted, highlighted, paginated search.

        An empty `query.text` returns all matching listings, newest first (score 0). Expired
        listings are never returned. Raises SearchUnavailable when the service is down.
        """

    def more_like_this(
        self,
        document: IndexDocument,
        *,
        kind: ListingKind,
        limit: int,
        query: SearchQuery | None = None,
    ) -> list[SearchHit]:
        """Candidates for matching: listings of `kind` most similar to `document`'s text
        (title, body, keywords, weighted), at most `limit`, best first, each with its raw
        relevance score and, if the backend keeps them, index terms (`SearchHit.terms`);
        `query` may add filters (its text is ignored); `document` itself is never returned.
        Used by matching to retrieve candidates that the pure scorer then ranks.
        """
        return self.similar_listings(document, similar_filters(document, kind, query), limit)

    @abc.abstractmethod
    def similar_listings(
        self, document: IndexDocument, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """The step of `more_like_this` that each backend does its own way: the listings that
        `filters` selects (it has no text and excludes `document`) most like `document`, at
        most `limit`, best first, each with its raw relevance score (and index terms, if
        kept)."""

    def match_candidates(
        self,
        document: IndexDocument,
        *,
        kind: ListingKind,
        limit: int,
        pool_fields: Sequence[str] = (),
        vector: QueryVector | None = None,
    ) -> Candidates:
        """One candidate retrieval for matching: `more_like_this(document, kind=kind,
        limit=limit)`, and the newest searchable listings of `kind` whose field is one of
        `pool_fields` (none when it is empty), `document` excluded, at most 2 × `limit` of
        them: enough for `limit` that are not among the similar ones; with `vector`, also the
        `limit` listings of `kind` nearest to it (`nearest_listings`). This default makes
        one call per part (and page); a backend may answer all parts in one request."""
        semantic = (
            self.nearest_listings(vector, similar_filters(document, kind), limit)
            if vector is not None and limit > 0
            else []
        )
        similar = self.more_like_this(document, kind=kind, limit=limit)
        pooled: list[SearchHit] = []
        if pool_fields and limit > 0:
            page = 1
            while len(pooled) < 2 * limit:
                found = self.search(
                    pool_query(document, kind, pool_fields, page=page, page_size=100)
                )
                pooled += found.hits
                if not found.hits or page * found.page_size >= found.total:
                    break
                page += 1
        return Candidates(similar, pooled[: 2 * limit], semantic)

    def nearest_listings(
        self, vector: QueryVector, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """The listings that `filters` selects (its text ignored; both kinds when it names
        none; expired listings never) whose stored embeddings are nearest to `vector`, at
        most `limit`, best first, `score` the cosine similarity (-1..1). A backend without
        vectors returns [] (matching is then lexical, and the search box has no third try).
        Raises SearchUnavailable when the service is down."""
        return []

    def held_vectors(
        self, kind: ListingKind, model: str, object_ids: Sequence[int]
    ) -> dict[int, npt.NDArray[np.float32]]:
        """{object id: stored vector} of `object_ids` of `kind` and `model` that this process
        holds in memory, as fresh as `nearest_listings` reads them; the default holds none
        (callers read the stored vectors from the database)."""
        return {}

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Autocomplete: at most `limit` suggestions whose text (title, English title or a
        keyword of a searchable, unexpired listing) starts with `prefix`, case-insensitively,
        titles before English titles before keywords, no text twice. Optional: a backend
        without autocomplete returns []. Raises SearchUnavailable when the service is down.
        """
        return []

    def count(self, kind: ListingKind | None = None) -> int:
        """Number of indexed documents (used by update_index to check a rebuild)."""
        return self.search(
            SearchQuery(kind=kind, page_size=1, with_facets=False, with_highlights=False)
        ).total
