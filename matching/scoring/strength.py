"""How strong a match is: strong, possible or weak, from its evidence score and two thresholds.

A match is `strong` when its evidence (0–1) reaches `thresholds.strong`, `possible` when it
reaches `thresholds.possible`, otherwise `weak`. The thresholds are calibrated on the dev
judgements (data/qrels_dev.json) by `manage.py evaluate_matching --folds`, cross-validated, and
kept in settings.MATCHING_STRENGTH; pages list weak matches only behind a "more" divider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Strength = Literal["strong", "possible", "weak"]
#: Strongest first: the order in which pages group matches.
STRENGTHS: tuple[Strength, ...] = ("strong", "possible", "weak")


@dataclass(frozen=True)
class StrengthThresholds:
    """Lowest evidence (0–1) of a strong and of a possible match; `strong` ≥ `possible`."""

    strong: float
    possible: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.possible <= self.strong <= 1.0:
            raise ValueError("strength thresholds need 0 <= possible <= strong <= 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> StrengthThresholds:
        """From {"strong": x, "possible": y} (settings.MATCHING_STRENGTH). Raises KeyError or
        ValueError for a missing or bad value."""
        return cls(strong=float(values["strong"]), possible=float(values["possible"]))


def strength_of(evidence: float, thresholds: StrengthThresholds) -> Strength:
    """The strength of a match whose evidence score is `evidence` (0–1)."""
    if evidence >= thresholds.strong:
        return "strong"
    if evidence >= thresholds.possible:
        return "possible"
    return "weak"


def strength_rank(strength: Strength) -> int:
    """0 for strong, 1 for possible, 2 for weak (the pages' order)."""
    return STRENGTHS.index(strength)
