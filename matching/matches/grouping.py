"""Matches grouped by strength, and the words for each strength, shared by the pages and the API.

`group_by_strength` is pure: strong, possible and weak matches (`matching.scoring.strength`),
each group in the order it was given (the matcher's rank). Pages list strong then possible
matches and keep weak ones behind a "more" divider; the API returns the matcher's order and
filters on strength.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from matching.scoring import STRENGTHS, Strength


class HasStrength(Protocol):
    @property
    def strength(self) -> Strength: ...


M = TypeVar("M", bound=HasStrength)

#: The badge of each strength.
STRENGTH_LABELS: dict[Strength, Promise] = {
    "strong": _("Strong match"),
    "possible": _("Possible match"),
    "weak": _("Weak match"),
}
#: What each strength means, for the badge's title and screen readers.
STRENGTH_HELP: dict[Strength, Promise] = {
    "strong": _("The evidence for this match is strong: a recommendation."),
    "possible": _("There is some evidence for this match: worth a look."),
    "weak": _("There is little evidence for this match: not a recommendation."),
}
#: (value, label) pairs, strongest first, for choice fields and the OpenAPI enum.
STRENGTH_CHOICES: list[tuple[str, Promise]] = [(s, STRENGTH_LABELS[s]) for s in STRENGTHS]


def group_by_strength(matches: Iterable[M]) -> dict[Strength, list[M]]:
    """{"strong": [...], "possible": [...], "weak": [...]}: every strength a key (strongest
    first), each list in the given order."""
    groups: dict[Strength, list[M]] = {strength: [] for strength in STRENGTHS}
    for match in matches:
        groups[match.strength].append(match)
    return groups
