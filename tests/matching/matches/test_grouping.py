"""group_by_strength: strong, then possible, then weak, each group in the given order."""

from __future__ import annotations

from dataclasses import dataclass

from matching.matches.grouping import (
    STRENGTH_CHOICES,
    STRENGTH_HELP,
    STRENGTH_LABELS,
    group_by_strength,
)
from matching.scoring import STRENGTHS


@dataclass(frozen=True)
class Item:
    name: str
    strength: str


def test_groups_keep_the_given_order_within_each_strength() -> None:
    items = [
        Item("a", "weak"),
        Item("b", "strong"),
        Item("c", "possible"),
        Item("d", "strong"),
        Item("e", "weak"),
        Item("f", "possible"),
    ]
    groups = group_by_strength(items)
    assert list(groups) == ["strong", "possible", "weak"]
    assert {s: [i.name for i in group] for s, group in groups.items()} == {
        "strong": ["b", "d"],
        "possible": ["c", "f"],
        "weak": ["a", "e"],
    }


def test_every_strength_is_a_key_even_when_empty() -> None:
    assert group_by_strength([]) == {"strong": [], "possible": [], "weak": []}
    assert group_by_strength(iter([Item("x", "weak")]))["strong"] == []


def test_every_strength_has_a_label_and_an_explanation() -> None:
    assert [value for value, _ in STRENGTH_CHOICES] == list(STRENGTHS)
    assert set(STRENGTH_LABELS) == set(STRENGTH_HELP) == set(STRENGTHS)
