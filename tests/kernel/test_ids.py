"""Ids read from text (kernel/ids.py): ASCII digits naming 1..ID_MAX, nothing else."""

from __future__ import annotations

import pytest

from kernel.ids import ID_MAX, id_from_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("182", 182), (" 007 ", 7), ("0" * 5000 + "3", 3), (str(ID_MAX), ID_MAX),
     (str(ID_MAX + 1), None), ("9" * 5000, None), ("0", None), ("", None), (None, None),
     ("-1", None), ("1e3", None), ("９", None), ("٣", None), ("12a", None)],
)
def test_an_id_is_ascii_digits_naming_one_to_the_largest_64_bit_integer(
    text: str | None, expected: int | None
) -> None:
    assert id_from_text(text) == expected
