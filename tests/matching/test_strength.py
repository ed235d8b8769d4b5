"""The strength of a match: strong, possible or weak by two calibrated thresholds."""

from __future__ import annotations

import pytest

from matching.scoring import StrengthThresholds, strength_of, strength_rank

THRESHOLDS = StrengthThresholds(strong=0.6, possible=0.4)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [(0.9, "strong"), (0.6, "strong"), (0.59, "possible"), (0.4, "possible"), (0.39, "weak")],
)
def test_strength_is_the_highest_threshold_the_evidence_reaches(evidence, expected) -> None:
    assert strength_of(evidence, THRESHOLDS) == expected


def test_strength_thresholds_refuse_possible_above_strong() -> None:
    with pytest.raises(ValueError):
        StrengthThresholds(strong=0.3, possible=0.5)


def test_strength_thresholds_read_the_settings_shape() -> None:
    assert StrengthThresholds.from_mapping({"strong": 0.7, "possible": 0.2}) == (
        StrengthThresholds(strong=0.7, possible=0.2)
    )


def test_pages_order_strong_before_possible_before_weak() -> None:
    assert [strength_rank(s) for s in ("strong", "possible", "weak")] == [0, 1, 2]
