"""The embedded search backend on Tantivy: an index on local disk whose query cost follows
the hits, not the number of listings.

Tantivy (the Rust search library, through its official Python binding) keeps postings, field
norms and fast-field columns on disk, memory-mapped and shared by every worker process through
the page cache. Query text becomes the same plan as for Elasticsearch
(`matching.search.analysis`), compiled by `queries`; facets are Tantivy's terms aggregations
over the matching documents; highlights are made from the stored text of the page's hits only.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import tantivy
from django.conf import settings

from kernel.databases import database_key
from matching.search import analysis, segment
from matching.search.analysis_pool import analysed, default_workers, unique_searchable
from matching.search.backends.base import (
    FACET_FIELDS,
    KINDS,
    RANKING_DEFAULTS,
    TERM_FIELDS,
    BaseSearchBackend,
    IndexDocument,
    ListingKind,
    ProgressCallback,
    QueryVector,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
    param,
)
from matching.search.backends.tantivy import queries
from matching.search.backends.tantivy.schema import (
    ID_BITS_LIMIT,
    SCHEMA,
    SUGGEST_FIELDS,
    document_key,
    fields_of,
    id_bits_of_recency,
    stored_of,
    suggest_text,
    to_tantivy,
)
from matching.search.backends.tantivy.store import Change, IndexStore
from matching.search.highlights import listing_highlights
from matching.semantic.embedders import Vectors
from matching.semantic.vector_index import VectorIndex, loaded_vector_index, vector_index

DEFAULTS: dict[str, Any] = {
    **RANKING_DEFAULTS,
    "path": None,
    "lock_timeout": 30.0,
    "prepare_workers": None,
}
REBUILD_PROGRESS_EVERY = 500
#: The deepest hit a search returns (page × page size), as Elasticsearch's default
#: index.max_result_window.
MAX_RESULT_WINDOW = 10_000
#: Facet values counted at most per facet (more than any vocabulary of the listings has).
FACET_SIZE = 1000


@contextmanager
def _engine_errors() -> Iterator[None]:
    """Tantivy's failures as SearchUnavailable: its errors (ValueError, OSError) and a panic
    of the Rust code, which the binding raises as a BaseException (`PanicException`)."""
    try:
        yield
    except (ValueError, OSError) as exc:
        raise SearchUnavailable(str(exc)) from exc
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":
            raise SearchUnavailable(f"the search engine failed: {exc}") from exc
        raise


def _total(found: tantivy.SearchResult) -> int:
    """The number of matching documents (the binding's type stub omits `count`)."""
    return int(getattr(found, "count", 0) or 0)


def _ranked(
    searcher: tantivy.Searcher, query: tantivy.Query, start: int, size: int
) -> tuple[list[tuple[float, tantivy.DocAddress]], int]:
    """(hits `start`..`start + size` of `query` by score, equal scores newest first — the
    order of Elasticsearch's sort: score, then publication, kind, id —, the number of matching
    documents). Tantivy breaks ties by document address, so the hits tied at the cut are
    fetched and ordered here; the first search also counts."""
    wanted = start + size
    fetch = wanted + 16
    found = searcher.search(query, fetch, count=True)
    total, hits = _total(found), found.hits
    while len(hits) == fetch and hits[-1][0] >= hits[wanted - 1][0]:
        fetch *= 2
        hits = searcher.search(query, fetch, count=False).hits
    recency = searcher.fast_field_values("recency", [address for _score, address in hits])
    order = sorted(range(len(hits)), key=lambda i: (-hits[i][0], -(recency[i] or 0)))
    return [hits[i] for i in order[start:wanted]], total


def default_path() -> Path:
    """VAR_DIR/search/<database>: one index per database, so that the test database and the
    development database never share an index."""
    return Path(settings.VAR_DIR) / "search" / database_key()


class TantivySearchBackend(BaseSearchBackend):
    """The embedded backend: Tantivy on local disk (the default without Elasticsearch).

    Params (settings.SEARCH_BACKENDS[name], optional): PATH (the index directory; default
    `default_path()`), LOCK_TIMEOUT (seconds a writer waits for another), PREPARE_WORKERS
    (processes that analyse documents in a rebuild; default: one per CPU), boosts,
    max_page_size, snippet_chars, and the plan's weights (`analysis.PlanSettings`). All
    worker processes of one machine share the index; several machines need Elasticsearch.
    """

    def __init__(self, params: dict[str, object] | None = None) -> None:
        super().__init__(params)
        boosts = {**DEFAULTS["boosts"], **param(self.params, "boosts", DEFAULTS)}
        self.plan_settings = analysis.PlanSettings.from_params(self.params)
        self.compiler = queries.QueryCompiler(boosts, self.plan_settings)
        self.max_page_size = int(param(self.params, "max_page_size", DEFAULTS))
        self.snippet_chars = int(param(self.params, "snippet_chars", DEFAULTS))
        self._path = param(self.params, "path", DEFAULTS)
        self._lock_timeout = float(param(self.params, "lock_timeout", DEFAULTS))
        self.prepare_workers = default_workers(param(self.params, "prepare_workers", DEFAULTS))
        self._stores: dict[Path, IndexStore] = {}

    def store(self) -> IndexStore:
        path = Path(str(self._path)) if self._path else default_path()
        if path not in self._stores:
            self._stores[path] = IndexStore(path, lock_timeout=self._lock_timeout)
        return self._stores[path]

    def _searcher(self) -> tantivy.Searcher:
        with _engine_errors():
            return self.store().index().searcher()

    # --- writing ----------------------------------------------------------------------------
    def index(self, documents: Iterable[IndexDocument]) -> None:
        changes = [
            (
                document_key(document.kind, document.object_id),
                fields_of(document) if document.searchable else None,
            )
            for document in documents
        ]
        self._apply(changes)

    def delete(self, kind: ListingKind, object_ids: Iterable[int]) -> None:
        self._apply([(document_key(kind, object_id), None) for object_id in object_ids])

    def _apply(self, changes: list[Change]) -> None:
        if not changes:
            return
        with _engine_errors():
            self.store().apply(changes)

    def rebuild(
        self, documents: Iterable[IndexDocument], *, progress: ProgressCallback | None = None
    ) -> int:
        """Build a new generation of the index and switch to it when complete. Documents are
        analysed in `prepare_workers` processes (`analysis_pool`) and written by this one."""
        done = 0
        store = self.store()
        with _engine_errors(), store.rebuilding():
            prepared = analysed(unique_searchable(documents), fields_of, self.prepare_workers)
            # The first document starts the analysis workers, before the writer's threads.
            first = next(prepared, None)
            with store.new_generation() as writer:
                for fields in itertools.chain([first] if first else [], prepared):
                    writer.add_document(to_tantivy(fields))
                    done += 1
                    if progress is not None and done % REBUILD_PROGRESS_EVERY == 0:
                        progress(done)
        if progress is not None:
            progress(done)
        return done

    # --- search -------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), self.max_page_size)
        searcher = self._searcher()
        filters, excluded = queries.filters_of(query)
        plan = analysis.plan_query(
            query.text, analysis.synonyms(), self.plan_settings, relaxed=query.relaxed
        )
        with _engine_errors():
            start = (page - 1) * page_size
            if plan.groups:
                compiled = self.compiler.plan_query(plan, filters, excluded)
            else:
                compiled = self._filter_only(filters, excluded)
            size = min(page_size, MAX_RESULT_WINDOW - start)
            ranked: list[tuple[Any, tantivy.DocAddress]] = []
            # Pages beyond the result window have no hits (the total and facets still count
            # everything): Tantivy reserves room for offset + size hits.
            if size <= 0:
                total = _total(searcher.search(compiled, 1))
            elif plan.groups:
                ranked, total = _ranked(searcher, compiled, start, size)
            else:
                found = searcher.search(
                    compiled, size, count=True, offset=start, order_by_field="recency"
                )
                ranked, total = found.hits, _total(found)
            hits = [
                self._hit(
                    searcher,
                    address,
                    float(score) if plan.groups else 0.0,
                    plan,
                    highlights=query.with_highlights,
                    terms=query.with_terms,
                )
                for score, address in ranked
            ]
            facets = self._facets(searcher, compiled) if query.with_facets else {}
        return SearchResults(hits, total, page, page_size, facets)

    @staticmethod
    def _filter_only(filters: list[tantivy.Query], excluded: list[tantivy.Query]) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, tantivy.Query.all_query())]
        clauses += [queries.filtered(f) for f in filters]
        clauses += [(tantivy.Occur.MustNot, q) for q in excluded]
        return tantivy.Query.boolean_query(clauses)

    def _hit(
        self,
        searcher: tantivy.Searcher,
        address: tantivy.DocAddress,
        score: float,
        plan: analysis.QueryPlan,
        *,
        highlights: bool,
        terms: bool,
    ) -> SearchHit:
        """The hit of the document at `address`; highlights and terms read its stored JSON."""
        found = searcher.doc(address).to_dict()
        kind, object_id = str(found["key"][0]).split(":")
        snippets: dict[str, list[str]] = {}
        stored = stored_of(found) if (highlights and plan.groups) or terms else {}
        stored_terms: dict[str, list[str]] = stored.get("terms", {})
        if highlights and plan.groups:
            words = {t for values in stored_terms.values() for t in values}
            text = "\n".join(
                [stored.get("title", ""), *stored.get("keywords", []), stored.get("body", "")]
            )
            marked = queries.marks(plan, words, set(segment.bigrams(text)))
            if marked:
                snippets = listing_highlights(stored, marked, self.snippet_chars)
        return SearchHit(
            cast("ListingKind", kind),
            int(object_id),
            round(score, 6),
            snippets,
            frozenset().union(*(stored_terms.get(name, ()) for name in TERM_FIELDS))
            if terms
            else None,
        )

    @staticmethod
    def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, dict[str, int]]:
        """Each facet's values over all matching listings, most frequent first."""
        aggregations = {
            name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS
        }
        answer = searcher.aggregate(query, aggregations)
        facets: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS:
            buckets = answer.get(name, {}).get("buckets", [])
            counts = [(str(b["key"]), int(b["doc_count"])) for b in buckets if str(b["key"])]
            facets[name] = dict(sorted(counts, key=lambda item: (-item[1], item[0])))
        return facets

    def stored_document(self, kind: ListingKind, object_id: int) -> dict[str, Any] | None:
        """What the index holds of a listing: its stored texts ("title", "title_en", "body",
        "keywords", "owner_name") and index terms ("terms": field → sorted terms); None when
        the listing is not indexed. For operators and tests."""
        searcher = self._searcher()
        key = tantivy.Query.term_query(SCHEMA, "key", document_key(kind, object_id))
        with _engine_errors():
            found = searcher.search(key, 1)
            if not found.hits:
                return None
            return stored_of(searcher.doc(found.hits[0][1]).to_dict())

    def count(self, kind: ListingKind | None = None) -> int:
        searcher = self._searcher()
        filters, excluded = queries.filters_of(SearchQuery(kind=kind))
        with _engine_errors():
            return _total(searcher.search(self._filter_only(filters, excluded), 1))

    def similar_listings(
        self, document: IndexDocument, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """`document`'s title words (with synonyms), keywords (with synonyms) and top body
        terms by tf-idf as a weighted query (`analysis.similar_plan`), BM25-ranked; at least
        one group must match."""
        searcher = self._searcher()
        with _engine_errors():
            plan = analysis.similar_plan(
                document,
                analysis.synonyms(),
                self.plan_settings,
                self._body_scores(searcher, document.body),
            )
            if not plan.groups or limit <= 0:
                return []
            clauses, excluded = queries.filters_of(filters)
            compiled = self.compiler.plan_query(plan, clauses, excluded)
            ranked, _total = _ranked(searcher, compiled, 0, min(limit, MAX_RESULT_WINDOW))
            return [
                self._hit(searcher, address, float(score), plan, highlights=False, terms=True)
                for score, address in ranked
            ]

    @staticmethod
    def _body_scores(searcher: tantivy.Searcher, body: str) -> list[tuple[str, float]]:
        """(term, tf-idf) of the body's terms: (1 + ln tf) × BM25's idf in the body field."""
        total = searcher.num_docs
        scores = []
        for term, count in Counter(analysis.body_terms(body)).items():
            df = searcher.doc_freq("body", term)
            idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
            scores.append((term, (1 + math.log(count)) * idf))
        return scores

    def nearest_listings(
        self, vector: QueryVector, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """Exact nearest neighbours from this process's in-memory vector index of each kind
        (`matching.semantic.vector_index`), loaded from the stored vectors, kept when the
        search index holds them and `filters` selects them."""
        if limit <= 0:
            return []
        values = np.asarray(vector.values, dtype=np.float32)
        kinds: tuple[ListingKind, ...] = (filters.kind,) if filters.kind else KINDS
        hits = [
            hit
            for kind in kinds
            for hit in self._nearest_of_kind(
                vector_index(kind, vector.model, len(values)), values, filters, limit
            )
        ]
        return sorted(hits, key=lambda hit: -hit.score)[:limit]

    def held_vectors(
        self, kind: ListingKind, model: str, object_ids: Sequence[int]
    ) -> dict[int, Vectors]:
        """From this process's vector index of `kind` as `nearest_listings` last refreshed it
        (float16 in memory, `matching.semantic.half_vectors`): a match's semantic evidence then
        reads the same vectors its nearest listings came from, without a database query. None
        held when no search loaded the index (callers then read the database)."""
        index = loaded_vector_index(kind, model)
        return {} if index is None else index.vectors(object_ids)

    def _nearest_of_kind(
        self, index: VectorIndex, values: Vectors, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        # Vectors outlive the listings that left search, and the filters are the search
        # index's: keep the nearest that the index holds and `filters` selects (as
        # Elasticsearch's kNN filter does), asking the vector index for four times as many
        # each time until there are enough or none is left.
        # Each round checks only the ids no round before did (by id: equal cosines at the cut
        # may come in another order).
        clauses, excluded = queries.filters_of(replace(filters, kind=index.kind))
        wanted, checked = 2 * limit, set[int]()
        hits: list[SearchHit] = []
        while True:
            nearest = index.nearest(values, wanted)
            fresh = [(i, score) for i, score in nearest if i not in checked]
            selected = self._selected_ids(index.kind, [i for i, _s in fresh], clauses, excluded)
            hits += [SearchHit(index.kind, i, score) for i, score in fresh if i in selected]
            if len(hits) >= limit or len(nearest) < wanted:
                return sorted(hits, key=lambda hit: -hit.score)[:limit]
            checked.update(i for i, _s in fresh)
            wanted *= 4

    def _selected_ids(
        self,
        kind: ListingKind,
        object_ids: list[int],
        clauses: list[tantivy.Query],
        excluded: list[tantivy.Query],
    ) -> set[int]:
        """The ids among `object_ids` of `kind` that are in the index and pass `clauses` (the
        compiled filters, expiry included) and not `excluded`."""
        if not object_ids:
            return set()
        keys = [document_key(kind, object_id) for object_id in object_ids]
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.term_set_query(SCHEMA, "key", keys)),
                queries.filtered(self._filter_only(clauses, excluded)),
            ]
        )
        with _engine_errors():
            searcher = self._searcher()
            addresses = [address for _score, address in searcher.search(query, len(keys)).hits]
            if max(object_ids) < ID_BITS_LIMIT:
                # The recency fast field carries the id: a column read, where loading each
                # stored document (decompressing its block) took 4.2 ms for 200 ids, now 1.4.
                values = searcher.fast_field_values("recency", addresses)
                recencies = [value for value in values if isinstance(value, int)]
                if len(recencies) == len(values):  # None: a segment without the column
                    return {id_bits_of_recency(value) for value in recencies}
            stored = [searcher.doc(address).to_dict()["key"][0] for address in addresses]
        return {int(str(key).split(":")[1]) for key in stored}

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Titles (first), English titles, then keywords of searchable, unexpired listings
        that start with `prefix` (NFKC, case-insensitive), newest listings first within each,
        no text twice."""
        needle = suggest_text(prefix)
        if not needle or limit <= 0:
            return []
        searcher = self._searcher()
        out: list[Suggestion] = []
        seen: set[str] = set()
        live = queries.not_expired()
        with _engine_errors():
            for field_name, stored_name in zip(
                SUGGEST_FIELDS, ("title", "title_en", "keywords"), strict=True
            ):
                found = self._suggestions(searcher, field_name, stored_name, needle, live, limit)
                for suggestion in found:
                    if suggestion.text not in seen:
                        seen.add(suggestion.text)
                        out.append(suggestion)
                        if len(out) >= limit:
                            return out
        return out

    @staticmethod
    def _suggestions(
        searcher: tantivy.Searcher,
        field_name: str,
        stored_name: str,
        needle: str,
        live: tantivy.Query,
        limit: int,
    ) -> list[Suggestion]:
        """Texts of `stored_name` starting with `needle`, newest listing first."""
        terms = [t for t, _count in searcher.terms_with_prefix(field_name, needle, live)]
        if not terms:
            return []
        query = tantivy.Query.boolean_query(
            [
                queries.filtered(live),
                queries.filtered(tantivy.Query.term_set_query(SCHEMA, field_name, terms)),
            ]
        )
        found = searcher.search(query, limit * 4, order_by_field="recency")
        out = []
        for _order, address in found.hits:
            document = searcher.doc(address).to_dict()
            kind, object_id = str(document["key"][0]).split(":")
            stored = stored_of(document)
            texts = stored.get(stored_name)
            for text in texts if isinstance(texts, list) else [texts]:
                value = str(text or "").strip()
                if value and suggest_text(value).startswith(needle):
                    out.append(Suggestion(value, cast("ListingKind", kind), int(object_id)))
        return out
