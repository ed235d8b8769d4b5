"""The total score of a need–result pair: the weighted mean of the components, with a summary
reason."""

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
from matching.scoring.features import (
    Component,
    NeedFeatures,
    Part,
    ResultFeatures,
    ScoredMatch,
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
    components = tuple(
        Component(
            name=name,
            score=round(parts[name].score, 4),
            weight=round(normalised[name], 4),
            reason_zh=parts[name].zh,
            reason_en=parts[name].en,
            known=parts[name].known,
        )
        for name in COMPONENTS
    )
    total = clamp(sum(parts[name].score * normalised[name] for name in COMPONENTS))
    reason_zh, reason_en = summarise(components)
    return ScoredMatch(
        total=round(total, 4), components=components, reason_zh=reason_zh, reason_en=reason_en
    )


#: Components that say what the two listings are about; the others say whether they fit
#: (field, maturity, price, modes, region, freshness).
CONTENT_COMPONENTS: frozenset[str] = frozenset({"text", "keywords", "ipc", "semantic"})


def summarise(components: Sequence[Component], *, limit: int = 3) -> tuple[str, str]:
    """A one-line summary: the reasons of the known, fairly strong (≥ 0.5) components with the
    largest weighted contributions, at most `limit`. If none of them says what the listings
    are about (`CONTENT_COMPONENTS`), the known content component with the largest
    contribution above 0 leads anyway, in its own words for a weak score ("weakly related",
    "related in meaning"): a match is never explained by its maturity or region alone. A
    fallback when nothing qualifies."""
    strong = sorted(
        (c for c in components if c.known and c.score >= 0.5 and c.weight > 0),
        key=lambda c: c.contribution,
        reverse=True,
    )[:limit]
    if not any(c.name in CONTENT_COMPONENTS for c in strong):
        content = [
            c
            for c in components
            if c.name in CONTENT_COMPONENTS and c.known and c.score > 0 and c.weight > 0
        ]
        if content:
            strong = [max(content, key=lambda c: c.contribution), *strong][:limit]
    if not strong:
        return "匹配依据较弱", "weak evidence for this match"
    return "；".join(c.reason_zh for c in strong), "; ".join(c.reason_en for c in strong)
