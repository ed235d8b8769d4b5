"""The runs `manage.py evaluate_matching` measures: for each judged need, the hybrid matcher's
ranking, its lexical-only self (the same matcher with MATCHING_EMBEDDER "none"), the text-only
baseline, and every candidate as `matching.matches.tuning` re-ranks it; plus the configured
setting and the grid that cross-validation chooses from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from django.conf import settings
from django.test import override_settings

from matching.matcher import Match, UnsavedNeedMatches, match_needs_unsaved, matching_weights
from matching.matches.tuning import Candidate, Setting
from matching.search.backends.base import BaseSearchBackend

#: Every candidate is kept for re-ranking (the matcher retrieves a few hundred at most).
ALL_CANDIDATES = 100_000
#: The grid cross-validation chooses from: the weight of the semantic component (the other
#: weights as configured) and the fusion's k (0: no fusion). Fixed here, never per need.
SEMANTIC_WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.5)
FUSION_KS: tuple[float, ...] = (0.0, 5.0, 10.0, 20.0, 60.0)


@dataclass(frozen=True)
class BackendRuns:
    """Rankings (need id -> result refs, best first) and the candidates per need."""

    full: dict[str, list[str]]
    lexical: dict[str, list[str]]
    baseline: dict[str, list[str]]
    candidates: dict[str, list[Candidate]]
    semantic: bool


def _candidate(match: Match) -> Candidate:
    return Candidate(
        ref=match.listing.source_id or str(match.listing.pk),
        components={c.name: c.score for c in match.scored.components},
        cosine=match.semantic_cosine,
        text_score=match.text_score,
    )


def _refs(rankings: Sequence[UnsavedNeedMatches], depth: int) -> dict[str, list[str]]:
    return {r.need_id: r.full[:depth] for r in rankings}


def collect(
    records: Sequence[Mapping[str, Any]], backend: BaseSearchBackend, *, depth: int
) -> BackendRuns:
    """Run the matcher on `records` through `backend`, with and without embeddings."""
    hybrid = match_needs_unsaved(records, limit=ALL_CANDIDATES, backend=backend)
    with override_settings(MATCHING_EMBEDDER="none"):
        lexical = match_needs_unsaved(records, limit=depth, backend=backend)
    return BackendRuns(
        full=_refs(hybrid, depth),
        lexical=_refs(lexical, depth),
        baseline={r.need_id: r.baseline[:depth] for r in hybrid},
        candidates={r.need_id: [_candidate(m) for m in r.matches] for r in hybrid},
        semantic=any(m.semantic_cosine is not None for r in hybrid for m in r.matches),
    )


def configured_setting() -> Setting:
    return Setting(matching_weights(), float(getattr(settings, "MATCHING_FUSION_K", 0.0)))


def grid() -> list[Setting]:
    """The configured weights with each semantic weight, times each fusion k."""
    weights = matching_weights()
    return [
        Setting({**weights, "semantic": semantic}, k)
        for semantic, k in product(SEMANTIC_WEIGHTS, FUSION_KS)
    ]
