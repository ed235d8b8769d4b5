"""The embedded backend's compiler of query plans: BM25 over the in-process index state.

BM25 in the Robertson/Lucene form, per field: boost × idf × tf × (k1 + 1) / (tf + k1 × (1 − b
+ b × length / average length)), with idf and average lengths of the whole index
(`IndexState`). A plan's group (`matching.search.analysis.Group`) scores a listing with its
best alternative (the alternative's weight × the mean score of its terms over the word
fields, all terms present), plus `sub_word_weight` × the scores of its sub-words present, plus
the mean score of its bigrams in the "grams" field when all are present; times the group's
weight. Sub-words that do not cover the word add to the score of a listing matched otherwise
but do not match it. A listing's score is the sum of its groups' scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from matching.search.analysis import GRAM_FIELD, WORD_FIELDS, Group, Part, covers
from matching.search.backends.database.state import IndexState


@dataclass
class Match:
    """A listing's score, how many groups it matched, and the terms to highlight."""

    score: float = 0.0
    groups: int = 0
    marks: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Bm25:
    """BM25 parameters and the per-field boosts."""

    k1: float
    b: float
    boosts: dict[str, float]
    sub_word_weight: float

    def term_scores(
        self, state: IndexState, term: str, names: Sequence[str], candidates: set[int]
    ) -> dict[int, float]:
        """Row id → the BM25 score of `term` summed over the fields `names` (candidates only)."""
        scores: dict[int, float] = defaultdict(float)
        for name in names:
            rows = state.postings[name].get(term)
            if not rows:
                continue
            idf = state.idf(name, term)
            average = state.average_length(name) or 1.0
            boost = self.boosts.get(name, 1.0)
            for row_id, tf in rows.items():
                if row_id not in candidates:
                    continue
                length = state.entries[row_id].lengths[name]
                norm = self.k1 * (1.0 - self.b + self.b * length / average)
                scores[row_id] += boost * idf * tf * (self.k1 + 1.0) / (tf + norm)
        return scores

    def score(
        self, state: IndexState, groups: Sequence[Group], candidates: set[int], minimum: int
    ) -> dict[int, Match]:
        """Row id → Match for the candidates that match at least `minimum` groups."""
        cache: dict[tuple[str, str], dict[int, float]] = {}

        def term(name_set: str, value: str) -> dict[int, float]:
            key = (name_set, value)
            if key not in cache:
                names = WORD_FIELDS if name_set == "words" else (GRAM_FIELD,)
                cache[key] = self.term_scores(state, value, names, candidates)
            return cache[key]

        matches: dict[int, Match] = {}
        extra: dict[int, float] = defaultdict(float)
        for group in groups:
            best: dict[int, tuple[float, tuple[str, ...]]] = {}
            for alternative in group.alternatives:
                per_term = [term("words", t) for t in alternative.terms]
                rows = set.intersection(*(set(s) for s in per_term)) if per_term else set()
                for row_id in rows:
                    value = alternative.weight * sum(s[row_id] for s in per_term) / len(per_term)
                    if value > best.get(row_id, (0.0, ()))[0]:
                        best[row_id] = (value, alternative.terms)
            part_scores = {part: term("words", part.term) for part in group.parts}
            gram_scores = [term("grams", g) for g in group.grams]
            gram_rows = set.intersection(*(set(s) for s in gram_scores)) if gram_scores else set()
            self._add_group(group, best, part_scores, gram_scores, gram_rows, matches, extra)
        for row_id, value in extra.items():
            if row_id in matches:
                matches[row_id].score += value
        return {row_id: m for row_id, m in matches.items() if m.groups >= minimum}

    def _add_group(
        self,
        group: Group,
        best: dict[int, tuple[float, tuple[str, ...]]],
        part_scores: dict[Part, dict[int, float]],
        gram_scores: list[dict[int, float]],
        gram_rows: set[int],
        matches: dict[int, Match],
        extra: dict[int, float],
    ) -> None:
        """Add `group`'s score to the rows it matches (`matches`), and the score of sub-words
        that do not cover the word to `extra`."""
        touched = set(best) | gram_rows
        for scores in part_scores.values():
            touched |= set(scores)
        for row_id in touched:
            present = [p for p, s in part_scores.items() if row_id in s]
            covered = covers(present, len(group.raw))
            if row_id not in best and row_id not in gram_rows and not covered:
                # Sub-words alone that do not cover the word: score only, no match.
                extra[row_id] += (
                    group.weight
                    * self.sub_word_weight
                    * sum(part_scores[p][row_id] for p in present)
                )
                continue
            value, marked = best.get(row_id, (0.0, ()))
            value += self.sub_word_weight * sum(part_scores[p][row_id] for p in present)
            marks = set(marked) | {p.term for p in present}
            if row_id in gram_rows:
                value += sum(s[row_id] for s in gram_scores) / len(gram_scores)
                marks.add(group.raw.lower())
            match = matches.setdefault(row_id, Match())
            match.score += group.weight * value
            match.groups += 1
            match.marks |= marks
