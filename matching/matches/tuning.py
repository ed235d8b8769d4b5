"""Tuning and calibrating the matcher on judged needs, cross-validated (pure; no Django).

The matcher is run once per need with every candidate kept (`Candidate`: its component
scores, its cosine and its text score); a `Setting` (component weights, fusion k) then re-ranks
those candidates exactly as the matcher would (`ranking`), so a grid of settings costs no more
runs of the matcher.

`cross_validate` splits the needs into `folds` folds (a seeded shuffle); for each fold it
chooses the setting with the best mean nDCG@10 on the other folds, calibrates the strength
thresholds of the configured setting on them (`calibrate_strength`), and measures both on the
fold left out. The
reported numbers are over the held-out needs only, so a setting that fits single needs does
not look better than it is. The grid is fixed in advance (never chosen per need).

Strength thresholds are cut-offs on a match's total (0–1) among each need's top 20:
- strong: the cut-off with the best F1 of "strong" against "judged relevant (grade ≥ 1)";
- possible: the highest cut-off that still keeps `POSSIBLE_RECALL` of the relevant matches
  at or above it, so that few relevant matches end up behind the "weak" divider.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import mean

from matching.matches.evaluation import ndcg_at_k
from matching.scoring.features import normalise_weights
from matching.scoring.fusion import fused_order

DEPTH = 20
POSSIBLE_RECALL = 0.9


@dataclass(frozen=True)
class Candidate:
    """One candidate of one need as the matcher scored it."""

    ref: str
    components: Mapping[str, float]
    cosine: float | None
    text_score: float


@dataclass(frozen=True)
class Setting:
    """Component weights (normalised when used) and the fusion's k (0: no fusion)."""

    weights: Mapping[str, float]
    k: float

    def label(self) -> str:
        semantic = self.weights.get("semantic", 0.0)
        return f"semantic weight {semantic:g}, fusion k {self.k:g}"


def total(candidate: Candidate, weights: Mapping[str, float]) -> float:
    normalised = normalise_weights(weights)
    return sum(normalised[name] * candidate.components.get(name, 0.0) for name in normalised)


def ranking(candidates: Sequence[Candidate], setting: Setting) -> list[tuple[str, float]]:
    """(ref, total) best first, in the matcher's order under `setting`."""
    totals = {c.ref: total(c, setting.weights) for c in candidates}
    lexical = sorted(candidates, key=lambda c: (-totals[c.ref], -c.text_score, c.ref))
    cosines = {c.ref: c.cosine for c in candidates if c.cosine is not None}
    order = fused_order([c.ref for c in lexical], cosines, setting.k)
    return [(ref, totals[ref]) for ref, _relevance in order]


def mean_ndcg(
    runs: Mapping[str, Sequence[Candidate]],
    qrels: Mapping[str, Mapping[str, int]],
    setting: Setting,
    needs: Sequence[str],
) -> float:
    scores = [
        ndcg_at_k([ref for ref, _t in ranking(runs[n], setting)], qrels[n], 10) for n in needs
    ]
    return mean(scores) if scores else 0.0


@dataclass(frozen=True)
class StrengthCalibration:
    strong: float
    possible: float


def _top(
    runs: Mapping[str, Sequence[Candidate]],
    qrels: Mapping[str, Mapping[str, int]],
    setting: Setting,
    needs: Sequence[str],
) -> list[tuple[float, bool]]:
    """(total, judged relevant) of each need's top DEPTH matches."""
    pairs: list[tuple[float, bool]] = []
    for need in needs:
        for ref, value in ranking(runs[need], setting)[:DEPTH]:
            pairs.append((value, qrels[need].get(ref, 0) > 0))
    return pairs


def calibrate_strength(pairs: Sequence[tuple[float, bool]]) -> StrengthCalibration:
    """Thresholds from (total, relevant) pairs (module docstring)."""
    relevant = sum(1 for _v, r in pairs if r)
    cuts = sorted({round(v, 4) for v, _r in pairs}, reverse=True)
    best_f1, strong = -1.0, 1.0
    for cut in cuts:
        chosen = [r for v, r in pairs if v >= cut]
        hits = sum(chosen)
        if not chosen or not relevant:
            continue
        precision, recall = hits / len(chosen), hits / relevant
        f1 = 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1, strong = f1, cut
    possible = strong
    for cut in cuts:
        if cut > strong:
            continue
        possible = cut
        if relevant and sum(1 for v, r in pairs if r and v >= cut) / relevant >= POSSIBLE_RECALL:
            break
    return StrengthCalibration(strong=strong, possible=min(possible, strong))


@dataclass(frozen=True)
class StrengthQuality:
    """Over held-out top-20 matches: precision and recall of "strong", and the share of the
    relevant matches that were labelled weak."""

    strong_precision: float
    strong_recall: float
    relevant_weak: float


def strength_quality(
    pairs: Sequence[tuple[float, bool]], thresholds: StrengthCalibration
) -> StrengthQuality:
    relevant = sum(1 for _v, r in pairs if r) or 1
    strong = [r for v, r in pairs if v >= thresholds.strong]
    weak_relevant = sum(1 for v, r in pairs if r and v < thresholds.possible)
    return StrengthQuality(
        strong_precision=sum(strong) / len(strong) if strong else 0.0,
        strong_recall=sum(strong) / relevant,
        relevant_weak=weak_relevant / relevant,
    )


@dataclass(frozen=True)
class Fold:
    needs: list[str]
    chosen: Setting
    train_ndcg: float
    test_ndcg: float
    reference_test_ndcg: float
    thresholds: StrengthCalibration
    strength: StrengthQuality


@dataclass(frozen=True)
class CrossValidation:
    """Held-out means over all needs: the tuned setting's and the reference setting's
    nDCG@10; per fold what was chosen."""

    folds: list[Fold] = field(default_factory=list)

    @property
    def tuned_ndcg(self) -> float:
        return _weighted(self.folds, lambda f: f.test_ndcg)

    @property
    def reference_ndcg(self) -> float:
        return _weighted(self.folds, lambda f: f.reference_test_ndcg)


def _weighted(folds: Sequence[Fold], value: Callable[[Fold], float]) -> float:
    """The mean over every held-out need of a per-fold mean (folds weighted by size)."""
    count = sum(len(f.needs) for f in folds)
    return sum(value(f) * len(f.needs) for f in folds) / count if count else 0.0


def cross_validate(
    runs: Mapping[str, Sequence[Candidate]],
    qrels: Mapping[str, Mapping[str, int]],
    grid: Sequence[Setting],
    reference: Setting,
    *,
    folds: int,
    seed: int = 13,
) -> CrossValidation:
    """k-fold cross-validation of the choice among `grid` and of the strength thresholds;
    `reference` (the configured setting) is measured on the same held-out folds. Raises
    ValueError for fewer than 2 folds or more folds than needs."""
    needs = sorted(n for n in runs if n in qrels and any(g > 0 for g in qrels[n].values()))
    if folds < 2 or folds > len(needs):
        raise ValueError(f"folds must be between 2 and {len(needs)}")
    # A reproducible split, not a secret: the standard generator is right here.
    random.Random(seed).shuffle(needs)  # noqa: S311
    parts = [needs[i::folds] for i in range(folds)]
    report: list[Fold] = []
    for held_out in parts:
        train = [n for n in needs if n not in held_out]
        scored = [(mean_ndcg(runs, qrels, s, train), i) for i, s in enumerate(grid)]
        best_score, best_index = max(scored, key=lambda pair: (pair[0], -pair[1]))
        chosen = grid[best_index]
        # Strength is calibrated for the setting that ships (`reference`), on the other folds.
        thresholds = calibrate_strength(_top(runs, qrels, reference, train))
        report.append(
            Fold(
                needs=held_out,
                chosen=chosen,
                train_ndcg=best_score,
                test_ndcg=mean_ndcg(runs, qrels, chosen, held_out),
                reference_test_ndcg=mean_ndcg(runs, qrels, reference, held_out),
                thresholds=thresholds,
                strength=strength_quality(_top(runs, qrels, reference, held_out), thresholds),
            )
        )
    return CrossValidation(report)
