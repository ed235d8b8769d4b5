"""The phrases a semantic reason names: which part of the listing being matched is closest in
meaning to a candidate.

A listing's phrases are its title, its keywords and the clauses of its description (split at
Chinese and Western sentence and clause marks, 4–40 characters, at most `MAX_CLAUSES`), each
once. Their vectors are embedded on first use and kept for the machine's processes
(`matching.semantic.phrase_vectors`). The candidate is named by its title: a result's title
names its technology ("钢渣气淬处理技术").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from matching.semantic.embedders import Vectors

MAX_CLAUSES = 8
_CLAUSE_MARKS = re.compile(r"[。！？；;，,、：:\n]+")


def phrases_of(title: str, keywords: Sequence[str], body: str) -> list[str]:
    """Title, keywords and description clauses, each once, in that order."""
    clauses = [c.strip() for c in _CLAUSE_MARKS.split(body or "")]
    clauses = [c for c in clauses if 4 <= len(c) <= 40][:MAX_CLAUSES]
    phrases = [title.strip(), *(k.strip() for k in keywords), *clauses]
    return list(dict.fromkeys(p for p in phrases if p))


def closest_phrases(
    phrases: list[str], phrase_vectors: Vectors, candidates: Vectors
) -> list[tuple[str, float]]:
    """For each row of `candidates` (listing vectors), the phrase of `phrases` (whose vectors
    are the rows of `phrase_vectors`) nearest to it and its cosine (("", 0.0) when there are
    no phrases)."""
    if not phrases or len(candidates) == 0:
        return [("", 0.0)] * len(candidates)
    similarity = candidates @ phrase_vectors.T
    best = np.argmax(similarity, axis=1)
    return [(phrases[int(i)], float(similarity[row, i])) for row, i in enumerate(best)]
