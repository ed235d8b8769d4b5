"""The page-number rule of every paged web page (kernel/pages.py)."""

from __future__ import annotations

import pytest

from kernel.pages import page_number, page_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (" 2 ", 2), ("1", 1), (None, 1), ("", 1), ("abc", 1), ("0", 1), ("-1", 1),
     ("2.5", 1), ("９", 1), ("٣", 1), ("+2", 1), ("0" * 30 + "7", 7), ("9" * 5000, 10**18),
     ("0" * 5000 + "2", 2), ("0" * 5000, 1), ("last", 10**18), ("Last", 1)],
)
def test_page_number_reads_ascii_digits_and_otherwise_asks_for_the_first_page(
    raw: str | None, expected: int
) -> None:
    assert page_number(raw) == expected


def test_page_of_shows_the_first_page_below_one_and_the_last_past_the_end() -> None:
    items = list(range(45))
    assert page_of(items, 20, "0").number == 1
    assert page_of(items, 20, "-5").number == 1
    assert list(page_of(items, 20, "2").object_list) == list(range(20, 40))
    assert page_of(items, 20, "99").number == 3
    assert page_of(items, 20, "9" * 5000).number == 3
    assert page_of(items, 20, "0" * 5000 + "2").number == 2
    assert page_of(items, 20, "last").number == 3


def test_page_of_an_empty_list_is_one_empty_page() -> None:
    page = page_of([], 20, "4")
    assert page.number == 1
    assert list(page.object_list) == []
