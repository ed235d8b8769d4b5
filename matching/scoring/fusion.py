"""Fusing the lexical and the semantic rankings (pure functions).

- `semantic_score(cosine, low, high)`: an embedding's cosine mapped to 0–1 linearly between
  the embedder's calibrated `low` (unrelated listings sit below it) and `high` (near
  duplicates sit above it). E5 models give every pair of texts a cosine of about 0.7–0.95, so
  the raw value would read as "closely related" for anything.
- `reciprocal_rank_fusion(rankings, k)`: Cormack, Clarke & Büttcher (2009), "Reciprocal Rank
  Fusion outperforms Condorcet and individual rank learning methods", SIGIR: each item
  scores Σ_r 1 / (k + rank_r) over the rankings r that hold it (rank 1-based); here scaled
  by (k + 1) / len(rankings), so an item first in every ranking scores 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from matching.scoring.features import clamp

Key = TypeVar("Key", bound=Hashable)


def semantic_score(cosine: float, low: float, high: float) -> float:
    """`cosine` mapped to 0–1: 0 at or below `low`, 1 at or above `high`. Raises ValueError
    unless low < high."""
    if not low < high:
        raise ValueError("the semantic range needs low < high")
    return clamp((cosine - low) / (high - low))


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
