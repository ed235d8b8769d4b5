"""`ElasticsearchSearchBackend`: search, counts, matching candidates and autocomplete on
Elasticsearch 8/9 (see the package docstring for the modules it is made of)."""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch.dsl import MultiSearch, Q, Search
from elasticsearch.dsl.response import Response

from matching.search import analysis
from matching.search.analysis_pool import default_workers
from matching.search.backends.base import (
    FACET_FIELDS,
    RANKING_DEFAULTS,
    BaseSearchBackend,
    Candidates,
    IndexDocument,
    ListingKind,
    QueryVector,
    SearchHit,
    SearchQuery,
    SearchResults,
    Suggestion,
    param,
    pool_query,
    similar_filters,
)
from matching.search.backends.elasticsearch.highlights import (
    hit_from,
    with_highlights,
)
from matching.search.backends.elasticsearch.lifecycle import (
    MAX_RESULT_WINDOW,
    IndexLifecycle,
    outage_as_unavailable,
)
from matching.search.backends.elasticsearch.mapping import decode_term, seg_text
from matching.search.backends.elasticsearch.queries import (
    QueryCompiler,
    cosine_of,
    filters_of,
    knn_clause,
    newest_first,
)

DEFAULTS: dict[str, Any] = {
    "index_prefix": "keqiao",
    "timeout": 10.0,
    "max_retries": 2,
    "refresh": "wait_for",
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",
    "api_key": "",
    "synonyms_path": "",
    "bulk_chunk_size": 500,
    "facet_size": 1000,
    "prepare_workers": None,
    # kNN: rescore the best oversample × k of the quantised graph with the float vectors.
    "knn_oversample": 2.0,
    # Scoring and paging: the embedded backend's defaults, so both rank alike (parity tests).
    **RANKING_DEFAULTS,
}

#: Facet name → indexed field.
FACET_SOURCES: dict[str, str] = {
    "kind": "kind",
    "field": "field",
    "province": "province",
    "city": "city",
    "stage": "stage",
    "modes": "modes",
    "trl": "trl",
}


def _param(params: Mapping[str, object], name: str) -> Any:
    return param(params, name, DEFAULTS)


logger = logging.getLogger(__name__)


def _log_refused_knn(error: object) -> None:
    # E.g. a query vector of another size than the index's (the embedder was changed and
    # `update_index` not run yet): matching goes on with its lexical candidates.
    logger.warning("Elasticsearch refused the kNN search, matching is lexical: %s", error)


def _hits(response: Any) -> Any:
    return [] if response is None else response.hits


class ElasticsearchSearchBackend(IndexLifecycle, BaseSearchBackend):
    """Search and matching candidates on Elasticsearch 8/9 (client `elasticsearch>=8.18,<9`).

    Params (settings.SEARCH_BACKENDS[name]): URL (required), INDEX_PREFIX ("keqiao"),
    TIMEOUT (seconds per request, 10), MAX_RETRIES (2), API_KEY (optional), REFRESH
    ("wait_for", "true" or "false": when writes become visible), NUMBER_OF_SHARDS (1),
    AUTO_EXPAND_REPLICAS ("0-1"), SYNONYMS_PATH (default matching/search/synonyms.txt),
    BULK_CHUNK_SIZE (500), FACET_SIZE (1000), PREPARE_WORKERS (processes that analyse the
    documents of a rebuild; default: one per CPU), KNN_OVERSAMPLE (2.0: kNN hits rescored
    with the float vectors; 0 keeps the quantised scores), the embedded backend's boosts,
    max_page_size and snippet_chars, and the plan's weights (`analysis.PlanSettings`:
    synonym_weight, related_weight, sub_word_weight, minimum_should_match, mlt_*).
    """

    indexes_vectors = True  # the `embedding` dense_vector field, searched by kNN

    def __init__(self, params: dict[str, object] | None = None) -> None:
        super().__init__(params)
        url = str(self.params.get("URL") or self.params.get("url") or "")
        if not url:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("The Elasticsearch search backend needs a URL.")
        self.url = url
        prefix = str(_param(self.params, "index_prefix")).strip().lower() or "keqiao"
        self.prefix = prefix
        self.alias = f"{prefix}-listings"
        self.building_alias = f"{prefix}-listings-rebuilding"
        self.version_pattern = f"{prefix}-listings-v*"
        self.current_indices = set()
        self.timeout = float(_param(self.params, "timeout"))
        self.refresh = self._refresh_mode(_param(self.params, "refresh"))
        self.plan_settings = analysis.PlanSettings.from_params(self.params)
        boosts: dict[str, float] = {**DEFAULTS["boosts"], **_param(self.params, "boosts")}
        self.compiler = QueryCompiler(boosts, self.plan_settings)
        self.max_page_size = int(_param(self.params, "max_page_size"))
        self.snippet_chars = int(_param(self.params, "snippet_chars"))
        self.chunk_size = int(_param(self.params, "bulk_chunk_size"))
        self.facet_size = int(_param(self.params, "facet_size"))
        self.knn_oversample = float(_param(self.params, "knn_oversample"))
        self.prepare_workers = default_workers(_param(self.params, "prepare_workers"))
        self.number_of_shards = int(_param(self.params, "number_of_shards"))
        self.auto_expand_replicas = str(_param(self.params, "auto_expand_replicas"))
        path = str(_param(self.params, "synonyms_path") or "")
        self.synonyms_path = Path(path) if path else analysis.SYNONYMS_PATH
        api_key = str(_param(self.params, "api_key") or "")
        # URL may list several nodes separated by commas; the client fails over between them.
        nodes = [node.strip() for node in url.split(",") if node.strip()]
        self.client = Elasticsearch(
            nodes,
            request_timeout=self.timeout,
            max_retries=int(_param(self.params, "max_retries")),
            retry_on_timeout=True,
            api_key=api_key or None,
        )

    @staticmethod
    def _refresh_mode(value: object) -> str | bool:
        text = str(value).lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        return "wait_for"

    # --- searching -----------------------------------------------------------------------
    def _base_search(self) -> Search:
        return Search(using=self.client, index=self.alias)

    def _execute_all(self, searches: list[Search], *, optional: int | None = None) -> list[Any]:
        """The responses of `searches`, sent in one `_msearch` request ([] for none, or no
        index yet). The search at position `optional` may fail alone: a request error there
        (not an outage) is logged and its response is None."""
        if not searches:
            return []
        multi = MultiSearch(using=self.client, index=self.alias)
        for search in searches:
            multi = multi.add(search)
        with outage_as_unavailable():
            try:
                answer = self.client.msearch(index=self.alias, body=multi.to_dict())
            except NotFoundError:
                return []
            out: list[Any] = []
            for position, (search, item) in enumerate(
                zip(searches, answer["responses"], strict=True)
            ):
                error = item.get("error")
                if not error:
                    out.append(Response(search, item))
                elif isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                    # An item's error comes back in a 200 answer: "no index yet" is no hits,
                    # as for a single search.
                    return []
                elif position == optional and int(item.get("status", 500)) < 500:
                    _log_refused_knn(error)
                    out.append(None)
                else:
                    raise ApiError("N/A", meta=answer.meta, body=item)
            return out

    def _execute(self, search: Search) -> Any:
        with outage_as_unavailable():
            try:
                return search.execute()
            except NotFoundError:
                return None  # no index yet: nothing indexed

    def search(self, query: SearchQuery) -> SearchResults:
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), self.max_page_size)
        plan = analysis.plan_query(
            query.text, self.synonyms(), self.plan_settings, relaxed=query.relaxed
        )
        groups = plan.groups
        filters, must_not = filters_of(query)
        if groups:
            bool_query = self.compiler.plan_query(plan, filters, must_not)
            order: list[Any] = ["_score", *newest_first()]
        else:
            bool_query = Q("bool", filter=filters, must_not=must_not)
            order = newest_first()
        start = (page - 1) * page_size
        # Beyond Elasticsearch's result window: the total and facets only (no hits there).
        size = page_size if start + page_size <= MAX_RESULT_WINDOW else 0
        search = (
            self._base_search()
            .query(bool_query)
            .sort(*order)
            .source(["kind", "object_id", "body", *(["terms"] if query.with_terms else [])])
            .extra(track_total_hits=True, track_scores=bool(groups))
        )
        search = search[start : start + size] if size else search[0:0]
        if query.with_facets:
            for name in FACET_FIELDS:
                search.aggs.bucket(
                    name,
                    "terms",
                    field=FACET_SOURCES[name],
                    size=self.facet_size,
                    order=[{"_count": "desc"}, {"_key": "asc"}],
                )
        if query.with_highlights and groups:
            search = with_highlights(search, groups, self.snippet_chars)
        response = self._execute(search)
        if response is None:
            empty: dict[str, dict[str, int]] = (
                {name: {} for name in FACET_FIELDS} if query.with_facets else {}
            )
            return SearchResults([], 0, page, page_size, empty)
        hits = [hit_from(hit, scored=bool(groups)) for hit in response.hits] if size else []
        facets = self._facets(response) if query.with_facets else {}
        return SearchResults(hits, int(response.hits.total.value), page, page_size, facets)

    @staticmethod
    def _facets(response: Any) -> dict[str, dict[str, int]]:
        facets: dict[str, dict[str, int]] = {}
        aggregations = response.aggregations
        for name in FACET_FIELDS:
            counts: Counter[str] = Counter()
            for bucket in getattr(aggregations, name).buckets:
                value = str(bucket.key)
                if value:
                    counts[value] += int(bucket.doc_count)
            facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        return facets

    def count(self, kind: ListingKind | None = None) -> int:
        filters, must_not = filters_of(SearchQuery(kind=kind))
        with outage_as_unavailable():
            try:
                found = self.client.count(
                    index=self.alias,
                    query=Q("bool", filter=filters, must_not=must_not).to_dict(),
                )
            except NotFoundError:
                return 0
        return int(found["count"])

    # --- matching candidates -------------------------------------------------------------
    def similar_listings(
        self, document: IndexDocument, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """`document`'s title (weight 2), English title (1) and keywords (1.5 each) as query
        groups with synonyms, plus its top body terms by tf-idf (Elasticsearch's term vectors
        of the text against the index), weighted by their tf-idf relative to the best; at
        least one group must match."""
        search = self._similar_search(document, filters, limit)
        response = None if search is None else self._execute(search)
        if response is None:
            return []
        return [hit_from(hit, scored=True) for hit in response.hits]

    def _similar_search(
        self, document: IndexDocument, filters: SearchQuery, limit: int
    ) -> Search | None:
        """The request of `similar_listings` (None when nothing can be similar)."""
        if limit <= 0:
            return None
        plan = analysis.similar_plan(
            document, self.synonyms(), self.plan_settings, self._body_scores(document.body)
        )
        if not plan.groups:
            return None
        clauses, must_not = filters_of(filters)
        return (
            self._base_search()
            .query(self.compiler.plan_query(plan, clauses, must_not))
            .sort("_score", *newest_first())
            .source(["kind", "object_id", "terms"])
            .extra(track_scores=True, size=min(limit, MAX_RESULT_WINDOW))
        )

    def _knn_search(self, vector: QueryVector, filters: SearchQuery, limit: int) -> Search:
        """The kNN search of `nearest_listings`, filtered by `filters` as a lexical search
        is."""
        knn = knn_clause(vector.values, filters, limit, self.knn_oversample)
        return self._base_search().source(["kind", "object_id"]).extra(knn=knn, size=knn["k"])

    @staticmethod
    def _semantic_hits(response: Any) -> list[SearchHit]:
        return [
            SearchHit(hit.kind, int(hit.object_id), cosine_of(float(hit.meta.score)))
            for hit in _hits(response)
        ]

    def nearest_listings(
        self, vector: QueryVector, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """Approximate nearest neighbours by the `embedding` field's HNSW graph (a kNN
        search with `filters` as its filter), `score` the cosine; listings without a vector
        are never found, and a vector the index refuses (another size) finds nothing."""
        if limit <= 0:
            return []
        found = self._execute_all([self._knn_search(vector, filters, limit)], optional=0)
        return self._semantic_hits(found[0] if found else None)

    def match_candidates(
        self,
        document: IndexDocument,
        *,
        kind: ListingKind,
        limit: int,
        pool_fields: Sequence[str] = (),
        vector: QueryVector | None = None,
    ) -> Candidates:
        """Every part in one `_msearch` request (after the term vectors of the body): the
        more-like-this search, the pool, and with `vector` the kNN search."""
        parts: dict[str, Search] = {}
        similar = self._similar_search(document, similar_filters(document, kind), limit)
        if similar is not None:
            parts["similar"] = similar
        if pool_fields and limit > 0:
            clauses, must_not = filters_of(pool_query(document, kind, pool_fields))
            parts["pooled"] = (
                self._base_search()
                .query(Q("bool", filter=clauses, must_not=must_not))
                .sort(*newest_first())
                .source(["kind", "object_id", "terms"])
                .extra(size=min(2 * limit, MAX_RESULT_WINDOW))
            )
        if vector is not None and limit > 0:
            parts["semantic"] = self._knn_search(vector, similar_filters(document, kind), limit)
        optional = list(parts).index("semantic") if "semantic" in parts else None
        found = self._execute_all(list(parts.values()), optional=optional)
        responses = dict(zip(parts, found, strict=False))
        return Candidates(
            [hit_from(hit, scored=True) for hit in _hits(responses.get("similar"))],
            [hit_from(hit, scored=False) for hit in _hits(responses.get("pooled"))],
            self._semantic_hits(responses.get("semantic")),
        )

    def _body_scores(self, body: str) -> list[tuple[str, float]]:
        """(term, tf-idf) of the body's terms as Elasticsearch measures them: the term vectors
        of the text as an artificial document, at most mlt_body_terms of them."""
        wanted = self.plan_settings.mlt_body_terms
        terms = analysis.body_terms(body)
        if not terms or wanted <= 0:
            return []
        with outage_as_unavailable():
            try:
                vectors = self.client.termvectors(
                    index=self.alias,
                    # A fixed routing sends the artificial document to the same shard every
                    # time, so its term statistics, and so the match scores, are
                    # deterministic.
                    routing="keqiao-more-like-this",
                    doc={"seg": {"body": seg_text(terms)}},
                    fields=["seg.body"],
                    term_statistics=True,
                    positions=False,
                    offsets=False,
                    filter={"max_num_terms": wanted, "min_term_freq": 1, "min_doc_freq": 1},
                )
            except NotFoundError:
                return []
        found = vectors.get("term_vectors", {}).get("seg.body", {}).get("terms", {})
        return [
            (decode_term(token), float(info.get("score", 0.0))) for token, info in found.items()
        ]

    # --- autocomplete --------------------------------------------------------------------
    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Completions of `prefix` from the `suggest` completion field (titles weigh 3,
        English titles 2, keywords 1); expired listings are left out."""
        text = unicodedata.normalize("NFKC", prefix).strip()
        if not text or limit <= 0:
            return []
        search = (
            self._base_search()
            .source(["kind", "object_id", "expires_at", "tombstone"])
            .suggest(
                "listings",
                text,
                completion={"field": "suggest", "size": limit * 3, "skip_duplicates": True},
            )
            .extra(size=0)
        )
        response = self._execute(search)
        if response is None:
            return []
        now = datetime.now(UTC)
        out: list[Suggestion] = []
        seen: set[str] = set()
        for option in response.suggest.listings[0].options:
            source = option._source
            expires = getattr(source, "expires_at", None)
            if getattr(source, "tombstone", False) or (
                expires and datetime.fromisoformat(str(expires)) <= now
            ):
                continue
            if option.text in seen:
                continue
            seen.add(option.text)
            out.append(Suggestion(str(option.text), source.kind, int(source.object_id)))
            if len(out) >= limit:
                break
        return out
