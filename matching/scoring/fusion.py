"""Fusing the lexical and the semantic rankings (pure functions).

- `semantic_score(cosine, low, high)`: an embedding's cosine mapped to 0–1 linearly between
  the embedder's calibrated `low` (unrelated listings sit below it) and `high` (near
  duplicates sit above it). E5 models give every pair of texts a cosine of about 0.7–0.95, so
  the raw value would read as "closely related" for anything.
- `reciprocal_rank_fusion(rankings, k)`: Cormack, Clarke & Büttcher (2009), "Reciprocal Rank
  Fusion outperforms Condorcet and individual rank learning methods", SIGIR: each item
  scores Σ_r 1 / (k + rank_r) over the rankings r that hold it (rank 1-based); here scaled
  by (k + 1) / len(rankings), so an item first in every ranking scores 1.
- `fused_order(ranked, cosines, k)`: the matcher's order, the lexical ranking fused with the
  ranking by meaning (used by the matcher and by the tuning of `evaluate_matching`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from matching.scoring.features import clamp

Key = TypeVar("Key", bound=Hashable)


def semantic_score(cosine: float, low: float, high: float) -> float:
    """`cosine` mapped to 0–1: 0 at or below `low`, 1 at or above `high`. Raises ValueError
    unless low < high."""
    if not low < high:
        raise ValueError("the semantic range needs low < high")
    return clamp((cosine - low) / (high - low))


#: The k of the reciprocal rank fusion paper (Cormack et al. 2009), where no k is tuned.
PAPER_K = 60.0


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Key]], k: float) -> dict[Key, float]:
    """{item: fused score in 0–1} over every item of `rankings` (each best first, an item at
    most once per ranking). Raises ValueError for k < 0."""
    if k < 0:
        raise ValueError("k must be >= 0")
    if not rankings:
        return {}
    fused: dict[Key, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    scale = (k + 1) / len(rankings)
    return {item: score * scale for item, score in fused.items()}


def fused_order(
    ranked: Sequence[Key], cosines: Mapping[Key, float], k: float
) -> list[tuple[Key, float]]:
    """(item, relevance) best first: the reciprocal rank fusion of `ranked` (the lexical
    ranking, best first) and of the items of `cosines` by decreasing cosine. Ties keep the
    order of `ranked`. Without cosines or with k <= 0, relevance is 1 / position in `ranked`
    scaled as the fusion would (first = 1) and the order is `ranked`'s."""
    if not cosines or k <= 0:
        return [(item, 1.0 / position) for position, item in enumerate(ranked, start=1)]
    position = {item: i for i, item in enumerate(ranked)}
    by_meaning = sorted(
        (item for item in ranked if item in cosines), key=lambda i: (-cosines[i], position[i])
    )
    fused = reciprocal_rank_fusion([list(ranked), by_meaning], k)
    order = sorted(ranked, key=lambda item: (-fused[item], position[item]))
    return [(item, fused[item]) for item in order]
