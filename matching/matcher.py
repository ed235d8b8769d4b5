"""Explained matching: candidates from the search backend, ranked by the pure scorer.

For a technology need the matcher
1. retrieves candidate research results with the backend's `more_like_this` (at most
   `settings.MATCHING_CANDIDATES`), and adds the listings of the same and related fields
   (text score 0), so that problems worded unlike any result still reach the scorer;
2. keeps the searchable ones (published, not expired) that belong to another organisation;
3. scores each with `matching.scoring.score_match` (text relevance normalised by the best
   candidate's raw score; weights from `settings.MATCHING_WEIGHTS`);
4. returns them best first as `Match` objects with their explanation.
The same happens the other way round for a research result (candidate needs).

`match_needs_unsaved(records)` scores needs given as plain dicts in the needs.json format
without saving them (used by `manage.py evaluate_matching`), and also returns the text-only
baseline ranking (the search score alone).

Raises `matching.search.backends.base.SearchUnavailable` when the search service is down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kernel.tabular import RecordTooDeep, flatten
from marketplace.choices import ListingStatus
from marketplace.listing_records import KIND_NEED, SPECS, parse_listing_record
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from marketplace.roles import AnyUser
from marketplace.selectors import listing_searchable_q
from matching.listing_features import need_features, result_features
from matching.match_terms import (
    candidate_terms_of,
    generic_terms,
    informative_terms,
    shared_terms,
)
from matching.scoring import (
    NeedFeatures,
    ResultFeatures,
    ScoredMatch,
    Strength,
    StrengthThresholds,
    normalise_text_scores,
    related_fields,
    score_match,
    strength_of,
)
from matching.scoring.components import SemanticEvidence
from matching.scoring.fusion import PAPER_K, fused_order, reciprocal_rank_fusion
from matching.search.backends.base import (
    BaseSearchBackend,
    IndexDocument,
    QueryVector,
    SearchHit,
)
from matching.search.documents import document_for, model_for
from matching.semantic.evidence import SemanticContext, semantic_context, semantic_evidence

ListingT = TypeVar("ListingT", ResearchResult, TechnologyNeed)

Kind = Literal["result", "need"]


#: Names of the score components (matching.scoring.COMPONENTS) for pages and the API.
COMPONENT_LABELS = {
    "text": gettext_lazy("Text similarity"),
    "keywords": gettext_lazy("Keywords"),
    "ipc": gettext_lazy("IPC classification"),
    "field": gettext_lazy("Field"),
    "maturity": gettext_lazy("Maturity (TRL)"),
    "price": gettext_lazy("Price and budget"),
    "modes": gettext_lazy("Cooperation modes"),
    "region": gettext_lazy("Region"),
    "freshness": gettext_lazy("Freshness"),
    "semantic": gettext_lazy("Meaning (semantic similarity)"),
}


@dataclass(frozen=True)
class Match:
    """One ranked candidate: `listing` is a ResearchResult (kind "result") or a
    TechnologyNeed (kind "need"); `scored` holds the total (0–1) and its components;
    `text_score` is the backend's raw relevance; `strength` is strong, possible or weak
    (`matching.scoring.strength`, thresholds in settings.MATCHING_STRENGTH); `relevance`
    (0–1) orders the list: the reciprocal rank fusion of the ranking by `scored.total` and
    the ranking by meaning (`matching.scoring.fusion`), or the total when either is off."""

    kind: Kind
    listing: ResearchResult | TechnologyNeed
    scored: ScoredMatch
    text_score: float
    strength: Strength = "weak"
    relevance: float = 0.0
    semantic_cosine: float | None = None

    @property
    def score(self) -> float:
        """What orders the list (0–1): the fused relevance."""
        return self.relevance

    @property
    def object_id(self) -> int:
        return int(self.listing.pk)


@dataclass(frozen=True)
class UnsavedNeedMatches:
    """Rankings for one unsaved need: `full` by the matcher, `baseline` by search score alone.
    Both are lists of research result `source_id`s (falling back to str(pk)), best first."""

    need_id: str
    full: list[str]
    baseline: list[str]
    matches: list[Match] = field(default_factory=list)


# --- settings ----------------------------------------------------------------------------------
def matching_weights() -> dict[str, float]:
    return {name: float(value) for name, value in settings.MATCHING_WEIGHTS.items()}


def candidate_limit() -> int:
    return int(getattr(settings, "MATCHING_CANDIDATES", 100))


def strength_thresholds() -> StrengthThresholds:
    return StrengthThresholds.from_mapping(settings.MATCHING_STRENGTH)


def scored_limit() -> int:
    """How many hybrid candidates are loaded and fully scored (settings.MATCHING_SCORED; 0:
    all of them)."""
    return int(getattr(settings, "MATCHING_SCORED", 0) or 0)


# --- retrieval --------------------------------------------------------------------------------
def _backend(backend: BaseSearchBackend | None) -> BaseSearchBackend:
    if backend is not None:
        return backend
    from matching.search import get_search_backend

    return get_search_backend()


@dataclass(frozen=True)
class _Retrieved:
    """`plain`: the more_like_this hits in order (the text-only baseline); `merged`: every
    candidate by object id; `nearest`: the object ids found by meaning, nearest first."""

    plain: list[SearchHit]
    merged: dict[int, SearchHit]
    nearest: list[int]


def _retrieve(
    document: IndexDocument,
    *,
    kind: Kind,
    backend: BaseSearchBackend,
    limit: int,
    vector: QueryVector | None = None,
) -> _Retrieved:
    """Candidates for the listing of `document`.

    Besides the text hits, lexical matching (no `vector`) adds the listings of the same and
    related fields with text score 0, at most `limit` more: enterprises often describe a
    problem in words no result uses, and the scorer can still rank such candidates by field,
    keywords and the domain vocabulary. With `vector`, the `limit` listings nearest in meaning
    join instead (text score 0): they find what the field pool was for (on the dev judgements
    the hybrid ranks the same with or without the pool, nDCG@10 0.659 both), and the pool
    would make every match score about 100 more candidates.
    """
    fields: list[str] = []
    if vector is None and document.field:
        fields = [document.field, *related_fields(document.field)]
    candidates = backend.match_candidates(
        document, kind=kind, limit=limit, pool_fields=fields, vector=vector
    )
    plain = candidates.similar
    merged: dict[int, SearchHit] = {hit.object_id: hit for hit in plain}
    for hit in candidates.semantic:
        if hit.object_id not in merged:
            merged[hit.object_id] = SearchHit(kind, hit.object_id, 0.0)
    added = 0
    for hit in candidates.pooled:
        if added >= limit:
            break
        if hit.object_id not in merged:
            merged[hit.object_id] = SearchHit(kind, hit.object_id, 0.0, terms=hit.terms)
            added += 1
    return _Retrieved(plain, merged, [hit.object_id for hit in candidates.semantic])


def _shortlist(retrieved: _Retrieved, size: int) -> dict[int, SearchHit]:
    """The `size` candidates first in the reciprocal rank fusion (k = `PAPER_K`, 60,
    `matching.scoring.fusion`) of the lexical and the semantic retrieval orders, which are
    loaded and scored (ties: the lexical candidate first); all of them when `size` is 0 or
    there are no more. Scoring is what a match costs (loading, features, components, reasons
    for each candidate); candidates far down both retrievals do not reach the first page
    (measured on the dev judgements, DESIGN.md section 7)."""
    if size <= 0 or len(retrieved.merged) <= size:
        return retrieved.merged
    lexical = [hit.object_id for hit in retrieved.plain]
    fused = reciprocal_rank_fusion([lexical, retrieved.nearest], PAPER_K)
    first = sorted(retrieved.merged, key=lambda i: -fused.get(i, 0.0))[:size]
    return {i: retrieved.merged[i] for i in first}


def _rank(
    *,
    need: NeedFeatures | None,
    result: ResultFeatures | None,
    candidates: Sequence[tuple[ResearchResult | TechnologyNeed, SearchHit]],
    kind: Kind,
    weights: Mapping[str, float],
    today: date,
    semantic: Mapping[int, SemanticEvidence] | None = None,
) -> list[Match]:
    """The candidates scored, best total first (ties: text score, then id)."""
    normalised = normalise_text_scores([hit.score for _, hit in candidates])
    thresholds = strength_thresholds()
    source = need if kind == "result" else result
    assert source is not None
    source_terms = informative_terms(f"{source.title}\n{' '.join(source.keywords)}\n{source.text}")
    # Shared terms explain text hits only; a candidate found by meaning alone (text score 0)
    # is not segmented for a reason it will not give.
    candidate_terms = [
        candidate_terms_of(listing, hit) if hit.score > 0 else set() for listing, hit in candidates
    ]
    generic = generic_terms([terms for terms in candidate_terms if terms])
    evidence = semantic or {}
    matches: list[Match] = []
    for (listing, hit), text, terms in zip(candidates, normalised, candidate_terms, strict=True):
        if kind == "result":
            assert need is not None and isinstance(listing, ResearchResult)
            n, r = need, result_features(listing)
        else:
            assert result is not None and isinstance(listing, TechnologyNeed)
            n, r = need_features(listing), result
        scored = score_match(
            n, r, text, weights, today, candidate=kind,
            text_terms=shared_terms(source_terms, terms, generic) if hit.score > 0 else (),
            semantic=evidence.get(listing.pk),
        )  # fmt: skip
        matches.append(
            Match(
                kind=kind,
                listing=listing,
                scored=scored,
                text_score=hit.score,
                strength=strength_of(scored.total, thresholds),
                relevance=scored.total,
                semantic_cosine=None if listing.pk not in evidence else evidence[listing.pk].cosine,
            )
        )
    matches.sort(key=lambda m: (-m.scored.total, -m.text_score, m.listing.pk))
    return matches


def fusion_k() -> float:
    return float(getattr(settings, "MATCHING_FUSION_K", 0.0))


def _fused(matches: list[Match], semantic: Mapping[int, SemanticEvidence]) -> list[Match]:
    """`matches` (best total first) in the fused order (`matching.scoring.fusion.fused_order`)
    with their relevance; unchanged (relevance = total) without semantic evidence."""
    if not semantic or fusion_k() <= 0:
        return matches
    by_pk = {m.listing.pk: m for m in matches}
    cosines = {pk: e.cosine for pk, e in semantic.items() if pk in by_pk}
    order = fused_order([m.listing.pk for m in matches], cosines, fusion_k())
    return [replace(by_pk[pk], relevance=round(relevance, 4)) for pk, relevance in order]


def _load(
    model: type[ListingT], ids: Iterable[int], exclude_owner: int | None
) -> dict[int, ListingT]:
    """The searchable listings of `ids`, not of `exclude_owner`, without their owners: the
    scorer never reads them, and a list shows a page of them (`with_owners`)."""
    queryset = model.objects.filter(listing_searchable_q(model), pk__in=list(ids))
    if exclude_owner is not None:
        queryset = queryset.exclude(owner_id=exclude_owner)
    return {obj.pk: obj for obj in queryset}


def with_owners(matches: Sequence[Match]) -> Sequence[Match]:
    """`matches` with their listings' owners read in one query, for the page that shows them
    (the matcher loads its candidates without their owners)."""
    prefetch_related_objects([match.listing for match in matches], "owner")
    return matches


def _semantic(
    context: SemanticContext | None,
    kind: Kind,
    pairs: Sequence[tuple[ResearchResult | TechnologyNeed, SearchHit]],
    backend: BaseSearchBackend,
) -> dict[int, SemanticEvidence]:
    if context is None:
        return {}
    candidates = [(listing.pk, listing.title) for listing, _ in pairs]
    return semantic_evidence(context, kind, candidates, held=backend.held_vectors)


def _ranked(
    listing: ResearchResult | TechnologyNeed,
    *,
    kind: Kind,
    backend: BaseSearchBackend | None = None,
    weights: Mapping[str, float] | None = None,
    candidates: int | None = None,
    today: date | None = None,
    with_baseline: bool = False,
) -> tuple[list[Match], list[tuple[ResearchResult | TechnologyNeed, SearchHit]]]:
    """(full ranking, lexical baseline candidates in search order, or [] unless
    `with_baseline`) for `listing` (a need, saved or not, when `kind` is "result"; a saved
    result when it is "need")."""
    document = document_for(listing)
    context = semantic_context(document)
    search = _backend(backend)
    retrieved = _retrieve(
        document,
        kind=kind,
        backend=search,
        limit=candidates or candidate_limit(),
        vector=None if context is None else context.query_vector,
    )
    plain = retrieved.plain
    # Lexical matching scores every candidate: its field pool has no order to cut by.
    merged = retrieved.merged if context is None else _shortlist(retrieved, scored_limit())
    owner = listing.owner_id if listing.pk else None
    loaded: dict[int, Any] = _load(model_for(kind), merged, owner)
    pairs = [(loaded[i], hit) for i, hit in merged.items() if i in loaded]
    semantic = _semantic(context, kind, pairs, search)
    weights = dict(weights or matching_weights())
    if context is None:  # no embedder: the total is the lexical matcher's alone
        weights["semantic"] = 0.0
    ranked = _rank(
        need=need_features(listing) if isinstance(listing, TechnologyNeed) else None,
        result=result_features(listing) if isinstance(listing, ResearchResult) else None,
        candidates=pairs,
        kind=kind,
        weights=weights,
        today=today or timezone.localdate(),
        semantic=semantic,
    )
    baseline: list[tuple[ResearchResult | TechnologyNeed, SearchHit]] = []
    if with_baseline:
        unscored = [h.object_id for h in plain if h.object_id not in merged]
        if unscored:  # left out of the shortlist: the baseline still shows them
            extra: dict[int, Any] = _load(model_for(kind), unscored, owner)
            loaded |= extra
        baseline = [(loaded[h.object_id], h) for h in plain if h.object_id in loaded]
    return _fused(ranked, semantic), baseline


# --- selectors ---------------------------------------------------------------------------------
def matches_for_need(
    *, need: TechnologyNeed, viewer: AnyUser | None = None, limit: int = 20
) -> list[Match]:
    """Research results that fit `need`, best first, at most `limit`, with explanations.

    The caller checks that `viewer` may see `need` (the API does, via
    `marketplace.selectors.technology_need_get`); candidates are only searchable listings of
    other organisations, so they are visible to everyone. Raises SearchUnavailable.
    """
    ranked, _baseline = _ranked(need, kind="result")
    return ranked[:limit]


def matches_for_result(
    *, result: ResearchResult, viewer: AnyUser | None = None, limit: int = 20
) -> list[Match]:
    """Technology needs that `result` may solve, best first, at most `limit`, explained.

    Same rules as `matches_for_need`, the other way round (freshness counts the need's date).
    """
    ranked, _baseline = _ranked(result, kind="need")
    return ranked[:limit]


# --- unsaved needs (evaluation) -------------------------------------------------------------
def need_from_record(record: Mapping[str, Any]) -> TechnologyNeed:
    """An unsaved, published TechnologyNeed from a needs.json record (see data/README.md).

    The record is read by the importer's rules (`marketplace.listing_records`: Chinese labels
    of field and modes become codes, budgets such as ``50万`` are understood); a value that
    breaks a rule is dropped (the field stays blank) instead of being an error. The owner is an
    unsaved Organization named after `enterprise`.
    """
    try:
        flat = flatten(dict(record))
    except RecordTooDeep:
        flat = {}
    parsed = parse_listing_record(SPECS[KIND_NEED], flat)
    need = TechnologyNeed(**parsed.values, status=ListingStatus.PUBLISHED)
    need.owner = Organization(legal_name=parsed.owner_name)
    return need


def _ref(result: ResearchResult | TechnologyNeed) -> str:
    return result.source_id or str(result.pk)


def match_needs_unsaved(
    records: Iterable[Mapping[str, Any]],
    *,
    limit: int = 20,
    backend: BaseSearchBackend | None = None,
    weights: Mapping[str, float] | None = None,
    today: date | None = None,
) -> list[UnsavedNeedMatches]:
    """Rank the published research results for each need record without saving anything.

    Returns, per record (in input order), the matcher's ranking and the search-only baseline,
    each at most `limit` result references (`source_id`, or the pk as a string).
    """
    search = _backend(backend)
    out: list[UnsavedNeedMatches] = []
    for record in records:
        need = need_from_record(record)
        ranked, baseline = _ranked(
            need, kind="result", backend=search, weights=weights, today=today, with_baseline=True
        )
        out.append(
            UnsavedNeedMatches(
                need_id=need.source_id or "",
                full=[_ref(m.listing) for m in ranked[:limit]],
                baseline=[_ref(r) for r, _hit in baseline[:limit]],
                matches=ranked[:limit],
            )
        )
    return out


__all__ = [
    "Match",
    "UnsavedNeedMatches",
    "match_needs_unsaved",
    "matches_for_need",
    "matches_for_result",
    "need_features",
    "need_from_record",
    "result_features",
]
