"""The embedded search backend: BM25 over the `SearchEntry` table, ranked in Python.

Needs no service: the index is one table in the project database (`rows`), mirrored in
process (`state`). A query runs in three steps:

1. **Filter** with the ORM on the row's columns (kind, field, province, city, stage, modes,
   TRL range, price overlap, exclusions, not expired): `rows.filtered`.
2. **Match and rank** the filtered rows: the query text becomes a plan
   (`matching.search.analysis.plan_query`: groups, their alternatives and weights, the
   minimum-should-match rule), which `scoring.Bm25` scores (per-field BM25 with boosts:
   title > title_en > keywords > body > character bigrams; statistics of the whole index).
3. **Facet, page and highlight** the matches (`highlights`).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError

from matching.search import analysis
from matching.search.backends.base import (
    FACET_FIELDS,
    RANKING_DEFAULTS,
    BaseSearchBackend,
    IndexDocument,
    ListingKind,
    ProgressCallback,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
    param,
)
from matching.search.backends.database import rows
from matching.search.backends.database.highlights import listing_highlights
from matching.search.backends.database.scoring import Bm25, Match
from matching.search.backends.database.state import Entry, IndexCache, IndexState

DEFAULTS: dict[str, Any] = {"k1": 1.2, "b": 0.75, **RANKING_DEFAULTS}


class DatabaseSearchBackend(BaseSearchBackend):
    """BM25 search over `matching.models.SearchEntry` (the default, embedded backend).

    Params (settings.SEARCH_BACKENDS[name], optional): k1, b, boosts, max_page_size,
    snippet_chars, and the plan's weights (`analysis.PlanSettings`: synonym_weight,
    related_weight, sub_word_weight, minimum_should_match, mlt_*).
    """

    def __init__(self, params: dict[str, object] | None = None) -> None:
        super().__init__(params)
        boosts = {**DEFAULTS["boosts"], **param(self.params, "boosts", DEFAULTS)}
        self.plan_settings = analysis.PlanSettings.from_params(self.params)
        self.bm25 = Bm25(
            k1=float(param(self.params, "k1", DEFAULTS)),
            b=float(param(self.params, "b", DEFAULTS)),
            boosts=boosts,
            sub_word_weight=self.plan_settings.sub_word_weight,
        )
        self.max_page_size = int(param(self.params, "max_page_size", DEFAULTS))
        self.snippet_chars = int(param(self.params, "snippet_chars", DEFAULTS))
        self._cache = IndexCache()

    # --- writing ----------------------------------------------------------------------------
    def index(self, documents: Iterable[IndexDocument]) -> None:
        try:
            rows.write(documents)
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def delete(self, kind: ListingKind, object_ids: Iterable[int]) -> None:
        ids = list(object_ids)
        if not ids:
            return
        try:
            rows.delete(kind, ids)
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def rebuild(
        self, documents: Iterable[IndexDocument], *, progress: ProgressCallback | None = None
    ) -> int:
        """Replace all rows in one transaction (readers see the old or the new index)."""
        try:
            return rows.replace_all(documents, progress)
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    # --- search -------------------------------------------------------------------------------
    def _candidates(self, query: SearchQuery, state: IndexState) -> list[Entry]:
        return self._cache.candidates(rows.filtered(query), state)

    def search(self, query: SearchQuery) -> SearchResults:
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), self.max_page_size)
        try:
            with self._cache.lock:
                state = self._cache.state()
                candidates = self._candidates(query, state)
                plan = analysis.plan_query(query.text, self._synonyms(), self.plan_settings)
                ranked: list[tuple[Entry, float, set[str]]]
                if plan.groups:
                    matches = self.bm25.score(
                        state,
                        plan.groups,
                        {e.row_id for e in candidates},
                        plan.minimum_should_match,
                    )
                    ranked = [
                        (e, matches[e.row_id].score, matches[e.row_id].marks)
                        for e in candidates
                        if e.row_id in matches
                    ]
                    ranked.sort(key=lambda item: -item[1])  # stable: ties stay newest first
                else:
                    ranked = [(e, 0.0, set()) for e in candidates]
                facets = self._facets(e for e, _, _ in ranked) if query.with_facets else {}
                start = (page - 1) * page_size
                hits = [
                    SearchHit(
                        kind=entry.kind,
                        object_id=entry.object_id,
                        score=round(score, 6),
                        highlights=listing_highlights(entry.stored, marks, self.snippet_chars)
                        if query.with_highlights and marks
                        else {},
                    )
                    for entry, score, marks in ranked[start : start + page_size]
                ]
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc
        return SearchResults(hits, len(ranked), page, page_size, facets)

    def count(self, kind: ListingKind | None = None) -> int:
        try:
            return rows.filtered(SearchQuery(kind=kind)).count()
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def similar_listings(
        self, document: IndexDocument, filters: SearchQuery, limit: int
    ) -> list[SearchHit]:
        """A weighted OR query of `document`'s title words (with synonyms), keywords (with
        synonyms) and top body terms by tf-idf, BM25-ranked."""
        try:
            with self._cache.lock:
                state = self._cache.state()
                candidates = self._candidates(filters, state)
                plan = analysis.similar_plan(
                    document,
                    self._synonyms(),
                    self.plan_settings,
                    self._body_scores(document.body, state),
                )
                if not plan.groups or limit <= 0:
                    return []
                matches: dict[int, Match] = self.bm25.score(
                    state, plan.groups, {e.row_id for e in candidates}, plan.minimum_should_match
                )
                ranked = sorted(
                    (e for e in candidates if e.row_id in matches),
                    key=lambda e: -matches[e.row_id].score,
                )
                return [
                    SearchHit(e.kind, e.object_id, round(matches[e.row_id].score, 6))
                    for e in ranked[:limit]
                ]
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Titles (first), English titles, then keywords of searchable, unexpired listings
        that start with `prefix` (NFKC, case-insensitive), newest listings first within each,
        no text twice."""
        needle = unicodedata.normalize("NFKC", prefix).strip().lower()
        if not needle or limit <= 0:
            return []
        found: list[tuple[int, int, Suggestion]] = []
        try:
            with self._cache.lock:
                state = self._cache.state()
                candidates = self._candidates(SearchQuery(), state)
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc
        for order, entry in enumerate(candidates):
            stored = entry.stored
            for rank, texts in (
                (0, [stored.get("title")]),
                (1, [stored.get("title_en")]),
                (2, list(stored.get("keywords") or [])),
            ):
                for text in texts:
                    value = str(text or "").strip()
                    if value and unicodedata.normalize("NFKC", value).lower().startswith(needle):
                        found.append((rank, order, Suggestion(value, entry.kind, entry.object_id)))
        found.sort(key=lambda item: (item[0], item[1]))
        out: list[Suggestion] = []
        seen: set[str] = set()
        for _rank, _order, suggestion in found:
            if suggestion.text not in seen:
                seen.add(suggestion.text)
                out.append(suggestion)
                if len(out) >= limit:
                    break
        return out

    @staticmethod
    def _synonyms() -> analysis.SynonymTable:
        return analysis.synonyms()

    @staticmethod
    def _body_scores(body: str, state: IndexState) -> list[tuple[str, float]]:
        """(term, tf-idf) of the body's terms: (1 + ln tf) × the idf of the body field."""
        counts = Counter(analysis.body_terms(body))
        return [(t, (1 + math.log(c)) * state.idf("body", t)) for t, c in counts.items()]

    # --- facets ----------------------------------------------------------------------------
    @staticmethod
    def _facets(entries: Iterable[Entry]) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
        for e in entries:
            counts["kind"][e.kind] += 1
            for name, value in (
                ("field", e.field),
                ("province", e.province),
                ("city", e.city),
                ("stage", e.stage),
                ("trl", "" if e.trl is None else str(e.trl)),
            ):
                if value:
                    counts[name][value] += 1
            for mode in dict.fromkeys(e.modes):
                counts["modes"][mode] += 1
        return {
            name: dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
            for name, counter in counts.items()
        }
