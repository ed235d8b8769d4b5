"""How a score explains itself: its components with their reasons (`Component`), the scored
match (`ScoredMatch`, which builds them on first read) and the one-line summary (`summarise`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from matching.scoring.features import Part
from matching.scoring.vocabulary import COMPONENTS


@dataclass(frozen=True)
class Component:
    """One explained part of a score. `score` is 0–1, `weight` the normalised weight;
    `known` is False when the data was missing and the score is the neutral 0.5."""

    name: str
    score: float
    weight: float
    reason_zh: str
    reason_en: str
    known: bool = True

    @property
    def contribution(self) -> float:
        return self.score * self.weight

    def reason(self, language: str) -> str:
        return self.reason_zh if language.lower().startswith("zh") else self.reason_en


@dataclass(frozen=True)
class ScoredMatch:
    """The total (0–1, the weighted mean of the components) and its explanation, from `parts`
    (each component's score and reasons, by name) and `weights` (normalised, by name).

    The components and the one-line summary are built on first read: a list of matches
    scores every candidate but explains only those it shows."""

    total: float
    parts: Mapping[str, Part]
    weights: Mapping[str, float]

    @cached_property
    def components(self) -> tuple[Component, ...]:
        """Every component of COMPONENTS, in that order, rounded to 4 places."""
        return tuple(
            Component(
                name=name,
                score=round(self.parts[name].score, 4),
                weight=round(self.weights[name], 4),
                reason_zh=self.parts[name].zh,
                reason_en=self.parts[name].en,
                known=self.parts[name].known,
            )
            for name in COMPONENTS
        )

    @cached_property
    def _summary(self) -> tuple[str, str]:
        return summarise(self.components)

    @property
    def reason_zh(self) -> str:
        """The one-line summary in Chinese (`summarise`)."""
        return self._summary[0]

    @property
    def reason_en(self) -> str:
        """The one-line summary in English (`summarise`)."""
        return self._summary[1]

    def reason(self, language: str) -> str:
        return self.reason_zh if language.lower().startswith("zh") else self.reason_en

    def component(self, name: str) -> Component:
        for comp in self.components:
            if comp.name == name:
                return comp
        raise KeyError(name)


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
