"""Explained match scoring: pure Python over plain data (no Django, no ORM, no search calls).

`score_match(need, result, text_relevance, weights, today)` rates how well a research result
fits a technology need. The score is a weighted mean of components, each in 0–1:

| name        | rule (unknown data → neutral 0.5 unless stated)                                   |
|-------------|-----------------------------------------------------------------------------------|
| `text`      | the search backend's relevance, already normalised to 0–1 (`normalise_text_scores`)|
| `keywords`  | keyword overlap: exact shared keywords, keywords contained in the other side's     |
|             | text, keywords sharing most character bigrams, and need terms related through the |
|             | domain vocabulary (synonyms, knowledge rules); saturates at `KEYWORD_SATURATION`  |
| `ipc`       | same IPC group 1, same subclass 0.8, same class 0.4, otherwise 0                   |
| `field`     | same field 1, related field (`RELATED_FIELDS`, or a field or IPC rule of           |
|             | `matching.knowledge`, named in the reason) 0.4, otherwise 0; unknown 0.5           |
| `maturity`  | result TRL (or one estimated from its stage) ≥ the need's minimum TRL → 1, each   |
|             | level short costs 0.25                                                             |
| `price`     | asking price ≤ budget maximum → 1; above it falls linearly to 0 at twice the max   |
| `modes`     | a mode both accept 1; only compatible modes (`COMPATIBLE_MODES`) 0.7; else 0.1     |
| `region`    | same city 1 > same province 0.75 > both in 京津冀 0.5 > elsewhere 0.2 |
| `freshness` | age of the candidate's date: 1 when new, falling linearly to 0.1 at 3 years        |

Weights (settings.MATCHING_WEIGHTS) are normalised to sum 1, so the total is in 0–1. Every
component carries a reason in zh-Hans and English, specific to the values; callers pick one by
the active language. Codes (fields, modes) are the stored codes of `marketplace.choices`; the
small label tables here repeat their names so that this module needs no Django.
"""

from __future__ import annotations

from kernel.place_names import CITY_EN, PROVINCE_EN
from matching.scoring.components import KeywordEvidence, keyword_matches
from matching.scoring.explanation import Component, ScoredMatch, summarise
from matching.scoring.features import (
    ListingFeatures,
    NeedFeatures,
    ResultFeatures,
    normalise_region,
    normalise_text_scores,
    normalise_weights,
    parse_source_date,
)
from matching.scoring.strength import (
    STRENGTHS,
    Strength,
    StrengthThresholds,
    strength_of,
    strength_rank,
)
from matching.scoring.total import score_match
from matching.scoring.vocabulary import (
    COMPATIBLE_MODES,
    COMPONENTS,
    FIELD_LABELS,
    JINGJINJI,
    MODE_LABELS,
    MUNICIPALITIES,
    RELATED_FIELDS,
    STAGE_TRL,
    related_fields,
)

__all__ = [
    "CITY_EN",
    "COMPATIBLE_MODES",
    "COMPONENTS",
    "FIELD_LABELS",
    "JINGJINJI",
    "MODE_LABELS",
    "MUNICIPALITIES",
    "PROVINCE_EN",
    "RELATED_FIELDS",
    "STAGE_TRL",
    "STRENGTHS",
    "Component",
    "KeywordEvidence",
    "ListingFeatures",
    "NeedFeatures",
    "ResultFeatures",
    "ScoredMatch",
    "Strength",
    "StrengthThresholds",
    "keyword_matches",
    "normalise_region",
    "normalise_text_scores",
    "normalise_weights",
    "parse_source_date",
    "related_fields",
    "score_match",
    "strength_of",
    "strength_rank",
    "summarise",
]
