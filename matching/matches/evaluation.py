"""Ranking quality metrics for the matcher (pure functions, no Django).

Inputs: a ranked list of candidate ids (best first) and the judgements of one need,
`qrels = {result_id: grade}` with grades 0–3 (3 direct fit, 2 strong partial fit, 1 related;
unlisted ids are 0), as in data/qrels_dev.json. A grade > 0 counts as relevant.

Formulas (i is the 1-based rank, g_i the grade of the item at rank i):

    DCG@k    = Σ_{i=1..k} (2^{g_i} − 1) / log2(i + 1)              (graded gains, Järvelin &
    nDCG@k   = DCG@k / IDCG@k                                         Kekäläinen 2002; Burges
               IDCG@k is the DCG@k of the judged grades sorted          et al. 2005 gain form)
               in decreasing order (the best possible ranking)
    Recall@k = |{relevant ids in the top k}| / |{relevant ids}|
    RR       = 1 / rank of the first relevant id, 0 when none is ranked
    MRR      = mean of RR over the needs

Needs without any relevant judgement are left out of the averages (the metrics are undefined
for them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

METRICS: tuple[str, ...] = ("ndcg@10", "recall@20", "mrr")


def gain(grade: int) -> float:
    """Graded gain 2^g − 1 (grade 0 → 0, 1 → 1, 2 → 3, 3 → 7)."""
    return float(2**grade - 1) if grade > 0 else 0.0


def dcg(grades: Sequence[int], k: int) -> float:
    """Σ_{i=1..k} (2^{g_i} − 1) / log2(i + 1) over the first k grades."""
    return sum(gain(g) / math.log2(i + 2) for i, g in enumerate(grades[:k]))


def ndcg_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k of `ranked` (ids, best first) against `qrels`; 0 when nothing is relevant."""
    ideal = dcg(sorted((g for g in qrels.values() if g > 0), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg([qrels.get(item, 0) for item in ranked], k) / ideal


def recall_at_k(ranked: Sequence[str], qrels: Mapping[str, int], k: int = 20) -> float:
    """Share of the relevant ids found in the top k; 0 when nothing is relevant."""
    relevant = {item for item, g in qrels.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], qrels: Mapping[str, int]) -> float:
    """1 / rank of the first relevant id (1-based); 0 when none is ranked."""
    for i, item in enumerate(ranked, start=1):
        if qrels.get(item, 0) > 0:
            return 1.0 / i
    return 0.0


@dataclass(frozen=True)
class RunScores:
    """Mean metrics over `count` needs, plus each need's values."""

    ndcg_at_10: float
    recall_at_20: float
    mrr: float
    count: int
    per_need: dict[str, dict[str, float]]

    def as_dict(self) -> dict[str, float]:
        """{"ndcg@10": x, "recall@20": x, "mrr": x}, rounded to 4 places."""
        return {
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@20": round(self.recall_at_20, 4),
            "mrr": round(self.mrr, 4),
        }


def evaluate_run(
    run: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> RunScores:
    """Average nDCG@10, Recall@20 and MRR over the needs that are in both `run` (need id →
    ranked result ids) and `qrels` (need id → {result id: grade}) and have a relevant id."""
    per_need: dict[str, dict[str, float]] = {}
    for need_id, judged in qrels.items():
        if need_id not in run or not any(g > 0 for g in judged.values()):
            continue
        ranked = list(run[need_id])
        per_need[need_id] = {
            "ndcg@10": ndcg_at_k(ranked, judged, 10),
            "recall@20": recall_at_k(ranked, judged, 20),
            "mrr": reciprocal_rank(ranked, judged),
        }
    count = len(per_need)

    def mean(metric: str) -> float:
        return sum(v[metric] for v in per_need.values()) / count if count else 0.0

    return RunScores(
        ndcg_at_10=mean("ndcg@10"),
        recall_at_20=mean("recall@20"),
        mrr=mean("mrr"),
        count=count,
        per_need=per_need,
    )
