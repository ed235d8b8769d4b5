"""The total score of a need–result pair: the weighted mean of the components, explained by
`matching.scoring.explanation.ScoredMatch`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Literal

from matching.scoring.components import (
    SemanticEvidence,
    field_part,
    freshness_part,
    ipc_part,
    keywords_part,
    maturity_part,
    modes_part,
    price_part,
    region_part,
    semantic_part,
    text_part,
)
from matching.scoring.explanation import ScoredMatch
from matching.scoring.features import (
    NeedFeatures,
    Part,
    ResultFeatures,
    clamp,
    normalise_weights,
)
from matching.scoring.vocabulary import COMPONENTS


# --- the score ------------------------------------------------------------------------------
def score_match(
    need: NeedFeatures,
    result: ResultFeatures,
    text_relevance: float,
    weights: Mapping[str, float],
    today: date,
    *,
    candidate: Literal["result", "need"] = "result",
    text_terms: Sequence[str] = (),
    semantic: SemanticEvidence | None = None,
) -> ScoredMatch:
    """Score how well `result` fits `need`.

    `text_relevance` is the search relevance normalised to 0–1 (values outside are clamped);
    `weights` maps component names (COMPONENTS) to non-negative weights, normalised here;
    `today` dates freshness; `candidate` says which side is being recommended (its date is
    the one whose freshness counts); `text_terms` are terms the search matched, for the reason;
    `semantic` the embedding evidence (None without embeddings: the component is unknown).
    Returns the total in 0–1 with every component (score, weight, reasons in zh and en) and a
    summary reason naming the strongest known components. Raises ValueError for bad weights.
    """
    normalised = normalise_weights(weights)
    parts: dict[str, Part] = {
        "text": text_part(text_relevance, text_terms),
        "keywords": keywords_part(need, result),
        "ipc": ipc_part(need, result),
        "field": field_part(need, result),
        "maturity": maturity_part(need, result),
        "price": price_part(need, result),
        "modes": modes_part(need, result),
        "region": region_part(need, result),
        "freshness": freshness_part(result if candidate == "result" else need, today),
        "semantic": semantic_part(semantic, candidate),
    }
    total = clamp(sum(parts[name].score * normalised[name] for name in COMPONENTS))
    return ScoredMatch(total=round(total, 4), parts=parts, weights=normalised)
