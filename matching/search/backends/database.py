"""The embedded search backend: BM25 over the `SearchEntry` table, ranked in Python.

Needs no service: the index is one table in the project database. Each row holds a listing's
segmented text per field (`tokens`: {"title", "title_en", "keywords", "body", "grams"} →
lists of terms, see `matching.search.segment`), the filter columns and the original text
(`stored`) for highlights and cards.

A query runs in three steps:

1. **Filter** with the ORM on the row's columns (kind, field, province, city, stage, modes,
   TRL range, price overlap, exclusions, not expired). The modes filter casts the JSON list to
   text and looks for `"code"`, which works the same on SQLite and PostgreSQL.
2. **Match and rank** the filtered rows with BM25 (Robertson/Lucene form,
   idf = ln(1 + (N − df + 0.5)/(df + 0.5)), per-field length normalisation with `b`, boosts
   per field: title > title_en > keywords > body > character bigrams). Statistics (N, df,
   average lengths) are those of the whole index, as BM25 defines them.
3. **Facet, page and highlight** the matches.

The query text is segmented into *groups* (one per word, or per multi-word synonym entry).
A group matches a listing when one of its alternatives is present: the word itself, a synonym
from synonyms.txt (weight `synonym_weight`; `related_weight` for one-way "=>" rules),
dictionary sub-words that together cover the word (储能 + 电池 for 储能电池, weight
`sub_word_weight`), or all the character bigrams of a Chinese word (an unknown compound still
matches as a substring). A listing matches the query when it
matches all groups of a one- or two-word query and at least half (rounded up) of a longer one
(`minimum_should_match`). Its score is the sum of the group scores.

Caching: the per-term postings and the index statistics are kept in process, keyed by the
database and an index version (row count, latest `indexed_at`, highest id) checked with one
aggregate query per search. When the version moved, only rows whose `indexed_at` changed are
re-read. Each search also compares the filtered rows' `indexed_at` with the cache and
re-reads on any difference, so several server processes stay correct.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.models import Count, F, Max, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.html import escape

from matching.models import SearchEntry
from matching.search import segment
from matching.search.backends.base import (
    FACET_FIELDS,
    BaseSearchBackend,
    IndexDocument,
    ListingKind,
    ProgressCallback,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
)

logger = logging.getLogger(__name__)

WORD_FIELDS: tuple[str, ...] = ("title", "title_en", "keywords", "body")
GRAM_FIELD = "grams"
ALL_FIELDS: tuple[str, ...] = (*WORD_FIELDS, GRAM_FIELD)

DEFAULTS: dict[str, Any] = {
    "k1": 1.2,
    "b": 0.75,
    "boosts": {"title": 3.0, "title_en": 2.5, "keywords": 2.0, "body": 1.0, "grams": 0.3},
    "synonym_weight": 0.5,
    # Weight of one-way ("problem => technology") expansions.
    "related_weight": 0.3,
    "sub_word_weight": 0.4,
    # Fraction of the groups of a query with more than two groups that must match.
    "minimum_should_match": 0.5,
    # more_like_this: weights of the document's parts and how many body terms to use.
    "mlt_title_weight": 2.0,
    "mlt_keyword_weight": 1.5,
    "mlt_body_weight": 1.0,
    "mlt_body_terms": 20,
    "max_page_size": 100,
    "snippet_chars": 120,
}

_LATIN_WORD = re.compile(r"[0-9A-Za-z]+")


# --- index state (in-process cache) ----------------------------------------------------------
@dataclass
class _Entry:
    row_id: int
    kind: ListingKind
    object_id: int
    indexed_at: datetime
    field: str
    province: str
    city: str
    trl: int | None
    stage: str
    modes: tuple[str, ...]
    stored: dict[str, Any]
    tf: dict[str, Counter[str]]
    lengths: dict[str, int]


@dataclass
class _IndexState:
    """Postings and statistics of the whole index, as of `version`."""

    version: tuple[Any, ...] | None = None
    entries: dict[int, _Entry] = field(default_factory=dict)
    postings: dict[str, dict[str, dict[int, int]]] = field(
        default_factory=lambda: {name: {} for name in ALL_FIELDS}
    )
    total_length: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ALL_FIELDS, 0))

    def add(self, entry: _Entry) -> None:
        self.remove(entry.row_id)
        self.entries[entry.row_id] = entry
        for name in ALL_FIELDS:
            postings = self.postings[name]
            for term, count in entry.tf[name].items():
                postings.setdefault(term, {})[entry.row_id] = count
            self.total_length[name] += entry.lengths[name]

    def remove(self, row_id: int) -> None:
        entry = self.entries.pop(row_id, None)
        if entry is None:
            return
        for name in ALL_FIELDS:
            postings = self.postings[name]
            for term in entry.tf[name]:
                rows = postings.get(term)
                if rows is not None:
                    rows.pop(row_id, None)
                    if not rows:
                        del postings[term]
            self.total_length[name] -= entry.lengths[name]

    def idf(self, name: str, term: str) -> float:
        n = len(self.entries)
        df = len(self.postings[name].get(term, ()))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def average_length(self, name: str) -> float:
        return self.total_length[name] / len(self.entries) if self.entries else 0.0


# --- query model ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Alternative:
    terms: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class _Part:
    """A dictionary sub-word of a group's word, with its character span in the word."""

    term: str
    start: int
    end: int


@dataclass(frozen=True)
class _Group:
    alternatives: tuple[_Alternative, ...]
    parts: tuple[_Part, ...] = ()
    word_length: int = 0
    grams: tuple[str, ...] = ()
    raw: str = ""  # the typed Chinese text, highlighted when matched by its bigrams
    weight: float = 1.0

    def key(self) -> tuple[Any, ...]:
        return (self.alternatives, self.parts, self.grams)


@dataclass
class _Match:
    score: float = 0.0
    groups: int = 0
    marks: set[str] = field(default_factory=set)


def _param(params: dict[str, object], name: str) -> Any:
    for key in (name, name.upper()):
        if key in params:
            return params[key]
    return DEFAULTS[name]


class DatabaseSearchBackend(BaseSearchBackend):
    """BM25 search over `matching.models.SearchEntry` (the default, embedded backend).

    Params (settings.SEARCH_BACKENDS[name], optional): k1, b, boosts, synonym_weight,
    related_weight, sub_word_weight, minimum_should_match, mlt_* weights, max_page_size,
    snippet_chars.
    """

    def __init__(self, params: dict[str, object] | None = None) -> None:
        super().__init__(params)
        self.k1 = float(_param(self.params, "k1"))
        self.b = float(_param(self.params, "b"))
        self.boosts: dict[str, float] = {**DEFAULTS["boosts"], **_param(self.params, "boosts")}
        self.synonym_weight = float(_param(self.params, "synonym_weight"))
        self.related_weight = float(_param(self.params, "related_weight"))
        self.sub_word_weight = float(_param(self.params, "sub_word_weight"))
        self.minimum_should_match = float(_param(self.params, "minimum_should_match"))
        self.max_page_size = int(_param(self.params, "max_page_size"))
        self.snippet_chars = int(_param(self.params, "snippet_chars"))
        self._states: dict[tuple[str, str], _IndexState] = {}
        self._lock = threading.RLock()

    # --- writing ----------------------------------------------------------------------------
    @staticmethod
    def _row_values(document: IndexDocument) -> dict[str, Any]:
        keywords_text = "\n".join(document.keywords)
        tokens = {
            "title": segment.index_terms(document.title),
            "title_en": segment.index_terms(document.title_en),
            "keywords": [t for kw in document.keywords for t in segment.index_terms(kw)],
            "body": segment.index_terms(document.body),
            GRAM_FIELD: segment.bigrams(f"{document.title}\n{keywords_text}\n{document.body}"),
        }
        return {
            "tokens": tokens,
            "length": sum(len(tokens[name]) for name in WORD_FIELDS),
            "field": document.field or "",
            "province": document.province or "",
            "city": document.city or "",
            "trl": document.trl,
            "stage": document.stage or "",
            "modes": list(document.modes),
            "price_min_cny": document.price_min_cny,
            "price_max_cny": document.price_max_cny,
            "expires_at": document.expires_at,
            "published_at": document.published_at,
            "stored": {
                "title": document.title,
                "title_en": document.title_en,
                "body": document.body,
                "keywords": list(document.keywords),
                "owner_name": document.owner_name,
            },
        }

    def index(self, documents: Iterable[IndexDocument]) -> None:
        try:
            with transaction.atomic():
                for document in documents:
                    if not document.searchable:
                        SearchEntry.objects.filter(
                            kind=document.kind, object_id=document.object_id
                        ).delete()
                        continue
                    SearchEntry.objects.update_or_create(
                        kind=document.kind,
                        object_id=document.object_id,
                        defaults=self._row_values(document),
                    )
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def delete(self, kind: ListingKind, object_ids: Iterable[int]) -> None:
        ids = list(object_ids)
        if not ids:
            return
        try:
            SearchEntry.objects.filter(kind=kind, object_id__in=ids).delete()
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def rebuild(
        self, documents: Iterable[IndexDocument], *, progress: ProgressCallback | None = None
    ) -> int:
        """Replace all rows in one transaction (readers see the old or the new index)."""
        batch_size = 500
        try:
            with transaction.atomic():
                SearchEntry.objects.all().delete()
                seen: set[tuple[str, int]] = set()
                batch: list[SearchEntry] = []
                done = 0
                for document in documents:
                    key = (document.kind, document.object_id)
                    if not document.searchable or key in seen:
                        continue
                    seen.add(key)
                    batch.append(
                        SearchEntry(
                            kind=document.kind,
                            object_id=document.object_id,
                            **self._row_values(document),
                        )
                    )
                    if len(batch) >= batch_size:
                        SearchEntry.objects.bulk_create(batch)
                        done += len(batch)
                        batch = []
                        if progress is not None:
                            progress(done)
                if batch:
                    SearchEntry.objects.bulk_create(batch)
                    done += len(batch)
                if progress is not None:
                    progress(done)
                return done
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    # --- the cache ----------------------------------------------------------------------------
    def _state(self) -> _IndexState:
        """The cached index state, brought up to date (call with self._lock held)."""
        db = connections[SearchEntry.objects.db].settings_dict
        key = (SearchEntry.objects.db, str(db.get("NAME")))
        state = self._states.setdefault(key, _IndexState())
        aggregate = SearchEntry.objects.aggregate(
            n=Count("id"), last=Max("indexed_at"), top=Max("id")
        )
        version = (aggregate["n"], aggregate["last"], aggregate["top"])
        if state.version != version:
            self._sync(state)
            state.version = version
        return state

    def _sync(self, state: _IndexState) -> None:
        current = dict(SearchEntry.objects.values_list("id", "indexed_at"))
        for row_id in [r for r in state.entries if current.get(r) != state.entries[r].indexed_at]:
            state.remove(row_id)
        missing = [row_id for row_id in current if row_id not in state.entries]
        for start in range(0, len(missing), 500):
            for row in SearchEntry.objects.filter(id__in=missing[start : start + 500]).values(
                "id",
                "kind",
                "object_id",
                "indexed_at",
                "field",
                "province",
                "city",
                "trl",
                "stage",
                "modes",
                "stored",
                "tokens",
            ):
                state.add(self._entry_from_row(row))

    @staticmethod
    def _entry_from_row(row: Mapping[str, Any]) -> _Entry:
        tokens = row["tokens"] or {}
        tf = {name: Counter(tokens.get(name) or []) for name in ALL_FIELDS}
        return _Entry(
            row_id=row["id"],
            kind=row["kind"],
            object_id=row["object_id"],
            indexed_at=row["indexed_at"],
            field=row["field"],
            province=row["province"],
            city=row["city"],
            trl=row["trl"],
            stage=row["stage"],
            modes=tuple(row["modes"] or ()),
            stored=row["stored"] or {},
            tf=tf,
            lengths={name: sum(counter.values()) for name, counter in tf.items()},
        )

    # --- filtering ----------------------------------------------------------------------------
    @staticmethod
    def _filtered(query: SearchQuery) -> QuerySet[SearchEntry]:
        """Rows passing the query's filters, newest first (the order of text-less searches)."""
        qs = SearchEntry.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )
        if query.kind:
            qs = qs.filter(kind=query.kind)
        if query.fields:
            qs = qs.filter(field__in=list(query.fields))
        if query.provinces:
            qs = qs.filter(province__in=list(query.provinces))
        if query.cities:
            qs = qs.filter(city__in=list(query.cities))
        if query.stages:
            qs = qs.filter(stage__in=list(query.stages))
        if query.modes:
            # Portable "JSON list contains any of": the list's JSON text contains "code".
            any_mode = Q()
            for mode in query.modes:
                any_mode |= Q(modes_text__contains=f'"{mode}"')
            qs = qs.annotate(modes_text=Cast("modes", output_field=TextField())).filter(any_mode)
        if query.trl_min is not None:
            qs = qs.filter(trl__gte=query.trl_min)
        if query.trl_max is not None:
            qs = qs.filter(trl__lte=query.trl_max)
        # Price overlap: a listing's range [min or max, max or min] meets the asked range.
        # Listings without any price are left out when a price bound is given.
        if query.price_min_cny is not None:
            qs = qs.filter(
                Q(price_max_cny__gte=query.price_min_cny)
                | Q(price_max_cny__isnull=True, price_min_cny__gte=query.price_min_cny)
            )
        if query.price_max_cny is not None:
            qs = qs.filter(
                Q(price_min_cny__lte=query.price_max_cny)
                | Q(price_min_cny__isnull=True, price_max_cny__lte=query.price_max_cny)
            )
        for kind, object_id in query.exclude:
            qs = qs.exclude(kind=kind, object_id=object_id)
        return qs.order_by(F("published_at").desc(nulls_last=True), "-id")

    def _candidates(self, query: SearchQuery, state: _IndexState) -> list[_Entry]:
        rows = list(self._filtered(query).values_list("id", "indexed_at"))
        stale = any(
            (entry := state.entries.get(row_id)) is None or entry.indexed_at != indexed_at
            for row_id, indexed_at in rows
        )
        if stale:  # a write landed between the version check and this query
            self._sync(state)
        return [state.entries[row_id] for row_id, _ in rows if row_id in state.entries]

    # --- query analysis -----------------------------------------------------------------------
    def _groups_for_text(self, text: str, weight: float = 1.0) -> list[_Group]:
        words = segment.query_words(text)
        table = segment.synonyms()
        groups: list[_Group] = []
        i = 0
        while i < len(words):
            size = 0
            for span in range(min(table.max_len, len(words) - i), 0, -1):
                if table.get(tuple(w.term for w in words[i : i + span])):
                    size = span
                    break
            if size:
                key = tuple(w.term for w in words[i : i + size])
                alternatives = [_Alternative(key, 1.0)] + [
                    _Alternative(
                        expansion.terms,
                        self.synonym_weight if expansion.equivalent else self.related_weight,
                    )
                    for expansion in table.get(key)
                ]
            else:
                # A run of single Chinese characters is an unknown word: match it as a string.
                size = 1
                while (
                    i + size < len(words)
                    and self._single_cjk(words[i + size - 1].raw)
                    and self._single_cjk(words[i + size].raw)
                    and words[i + size].start == words[i + size - 1].start + 1
                ):
                    size += 1
                key = tuple(w.term for w in words[i : i + size])
                alternatives = [_Alternative(key, 1.0)] if size == 1 else []
            chunk = words[i : i + size]
            raw = "".join(w.raw for w in chunk) if all(segment.is_cjk(w.raw) for w in chunk) else ""
            parts: tuple[_Part, ...] = ()
            if size == 1 and raw:
                parts = tuple(
                    _Part(norm, raw.find(part), raw.find(part) + len(part))
                    for part in segment.sub_words(raw)
                    if (norm := segment.normalize(part)) is not None
                )
            grams = tuple(dict.fromkeys(segment.bigrams(raw))) if len(raw) >= 2 else ()
            groups.append(_Group(tuple(alternatives), parts, len(raw), grams, raw, weight))
            i += size
        return groups

    @staticmethod
    def _single_cjk(raw: str) -> bool:
        return len(raw) == 1 and segment.is_cjk(raw)

    @staticmethod
    def _merge(groups: Iterable[_Group]) -> list[_Group]:
        merged: dict[tuple[Any, ...], _Group] = {}
        for group in groups:
            known = merged.get(group.key())
            merged[group.key()] = (
                replace(known, weight=known.weight + group.weight) if known else group
            )
        return list(merged.values())

    # --- scoring ----------------------------------------------------------------------------
    def _term_scores(
        self, state: _IndexState, term: str, names: Sequence[str], candidates: set[int]
    ) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for name in names:
            rows = state.postings[name].get(term)
            if not rows:
                continue
            idf = state.idf(name, term)
            average = state.average_length(name) or 1.0
            boost = self.boosts.get(name, 1.0)
            for row_id, tf in rows.items():
                if row_id not in candidates:
                    continue
                length = state.entries[row_id].lengths[name]
                norm = self.k1 * (1.0 - self.b + self.b * length / average)
                scores[row_id] += boost * idf * tf * (self.k1 + 1.0) / (tf + norm)
        return scores

    def _score(
        self,
        state: _IndexState,
        groups: Sequence[_Group],
        candidates: set[int],
        minimum: int,
    ) -> dict[int, _Match]:
        cache: dict[tuple[str, str], dict[int, float]] = {}

        def term(name_set: str, value: str) -> dict[int, float]:
            key = (name_set, value)
            if key not in cache:
                names = WORD_FIELDS if name_set == "words" else (GRAM_FIELD,)
                cache[key] = self._term_scores(state, value, names, candidates)
            return cache[key]

        matches: dict[int, _Match] = {}
        extra: dict[int, float] = defaultdict(float)
        for group in groups:
            best: dict[int, tuple[float, tuple[str, ...]]] = {}
            for alternative in group.alternatives:
                per_term = [term("words", t) for t in alternative.terms]
                rows = set.intersection(*(set(s) for s in per_term)) if per_term else set()
                for row_id in rows:
                    value = alternative.weight * sum(s[row_id] for s in per_term) / len(per_term)
                    if value > best.get(row_id, (0.0, ()))[0]:
                        best[row_id] = (value, alternative.terms)
            part_scores = {part: term("words", part.term) for part in group.parts}
            gram_scores = [term("grams", g) for g in group.grams]
            gram_rows = set.intersection(*(set(s) for s in gram_scores)) if gram_scores else set()
            touched = set(best) | gram_rows
            for scores in part_scores.values():
                touched |= set(scores)
            for row_id in touched:
                present = [p for p, s in part_scores.items() if row_id in s]
                covered = self._covers(present, group.word_length)
                if row_id not in best and row_id not in gram_rows and not covered:
                    # Sub-words alone that do not cover the word: score only, no match.
                    extra[row_id] += (
                        group.weight
                        * self.sub_word_weight
                        * sum(part_scores[p][row_id] for p in present)
                    )
                    continue
                value, marked = best.get(row_id, (0.0, ()))
                value += self.sub_word_weight * sum(part_scores[p][row_id] for p in present)
                marks = set(marked) | {p.term for p in present}
                if row_id in gram_rows:
                    value += sum(s[row_id] for s in gram_scores) / len(gram_scores)
                    marks.add(group.raw.lower())
                match = matches.setdefault(row_id, _Match())
                match.score += group.weight * value
                match.groups += 1
                match.marks |= marks
        for row_id, value in extra.items():
            if row_id in matches:
                matches[row_id].score += value
        return {row_id: m for row_id, m in matches.items() if m.groups >= minimum}

    @staticmethod
    def _covers(parts: Sequence[_Part], length: int) -> bool:
        if not parts or length <= 0:
            return False
        covered = [False] * length
        for part in parts:
            for i in range(max(part.start, 0), min(part.end, length)):
                covered[i] = True
        return all(covered)

    def _minimum(self, groups: int) -> int:
        if groups <= 2:
            return groups
        return max(1, math.ceil(groups * self.minimum_should_match))

    # --- search -------------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        page = max(1, query.page)
        page_size = min(max(1, query.page_size), self.max_page_size)
        try:
            with self._lock:
                state = self._state()
                candidates = self._candidates(query, state)
                groups = self._merge(self._groups_for_text(query.text)) if query.text else []
                ranked: list[tuple[_Entry, float, set[str]]]
                if groups:
                    matches = self._score(
                        state, groups, {e.row_id for e in candidates}, self._minimum(len(groups))
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
                        highlights=self._highlights(entry, marks)
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
            return self._filtered(SearchQuery(kind=kind)).count()
        except DatabaseError as exc:
            raise SearchUnavailable(str(exc)) from exc

    def more_like_this(
        self,
        document: IndexDocument,
        *,
        kind: ListingKind,
        limit: int,
        query: SearchQuery | None = None,
    ) -> list[SearchHit]:
        """Listings of `kind` most like `document`: a weighted OR query of its title words
        (with synonyms), keywords (with synonyms) and top body terms by tf-idf, BM25-ranked.
        `query` adds filters (its text is ignored); `document` itself is never returned."""
        base = query or SearchQuery()
        filters = replace(
            base,
            kind=kind,
            text="",
            exclude=(*base.exclude, (document.kind, document.object_id)),
        )
        try:
            with self._lock:
                state = self._state()
                candidates = self._candidates(filters, state)
                groups = self._merge(self._mlt_groups(document, state))
                if not groups or limit <= 0:
                    return []
                matches = self._score(state, groups, {e.row_id for e in candidates}, 1)
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
            with self._lock:
                state = self._state()
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

    def _mlt_groups(self, document: IndexDocument, state: _IndexState) -> list[_Group]:
        title_weight = float(_param(self.params, "mlt_title_weight"))
        keyword_weight = float(_param(self.params, "mlt_keyword_weight"))
        body_weight = float(_param(self.params, "mlt_body_weight"))
        body_terms = int(_param(self.params, "mlt_body_terms"))
        groups = self._groups_for_text(document.title, title_weight)
        groups += self._groups_for_text(document.title_en, title_weight / 2)
        for keyword in document.keywords:
            groups += self._groups_for_text(keyword, keyword_weight)
        counts = Counter(segment.index_terms(document.body))
        tfidf = {
            t: (1 + math.log(c)) * state.idf("body", t)
            for t, c in counts.items()
            if len(t) > 1 or not segment.is_cjk(t)
        }
        top = sorted(tfidf.items(), key=lambda item: (-item[1], item[0]))[:body_terms]
        if top:
            highest = top[0][1] or 1.0
            groups += [
                _Group((_Alternative((t,), 1.0),), weight=body_weight * value / highest)
                for t, value in top
            ]
        return groups

    # --- facets and highlights -----------------------------------------------------------------
    @staticmethod
    def _facets(entries: Iterable[_Entry]) -> dict[str, dict[str, int]]:
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

    def _highlights(self, entry: _Entry, marks: set[str]) -> dict[str, list[str]]:
        stored = entry.stored
        result: dict[str, list[str]] = {}
        for name in ("title", "title_en", "body"):
            snippet = highlight(str(stored.get(name) or ""), marks, self.snippet_chars)
            if snippet:
                result[name] = [snippet]
        keywords = [
            snippet
            for keyword in stored.get("keywords") or []
            if (snippet := highlight(str(keyword), marks, self.snippet_chars))
        ]
        if keywords:
            result["keywords"] = keywords
        return result


# --- highlighting (pure functions) -------------------------------------------------------------
def _spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of `terms` in `text`: Chinese terms as substrings (case-insensitive),
    Latin terms as whole words compared in normalised (lower-case, stemmed) form."""
    lower = text.lower() if len(text.lower()) == len(text) else text
    found: list[tuple[int, int]] = []
    latin = set()
    for term in terms:
        if not term:
            continue
        if segment.is_cjk(term):
            start = lower.find(term)
            while start >= 0:
                found.append((start, start + len(term)))
                start = lower.find(term, start + 1)
        else:
            latin.add(term)
    if latin:
        for m in _LATIN_WORD.finditer(text):
            if segment.normalize(m.group()) in latin:
                found.append(m.span())
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _window(spans: list[tuple[int, int]], length: int, size: int) -> tuple[int, int]:
    """The [start, end) of at most `size` characters holding the most spans."""
    if length <= size:
        return 0, length
    best = (0, -1)
    for span_start, _ in spans:
        start = max(0, min(span_start - 20, length - size))
        inside = sum(1 for s, e in spans if s >= start and e <= start + size)
        if inside > best[1]:
            best = (start, inside)
    return best[0], best[0] + size


def highlight(text: str, terms: Iterable[str], size: int = 120) -> str | None:
    """A snippet of `text` (≤ `size` characters plus ellipses) around the matched `terms`,
    HTML-escaped, with matches wrapped in <mark>…</mark>; None when nothing matches."""
    spans = _spans(text, terms)
    if not spans:
        return None
    start, end = _window(spans, len(text), size)
    out: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[cursor:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    out.append(escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)
