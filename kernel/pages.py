"""One rule for the page number (`?page=`) of the paged list pages: the matches pages, the
organisation directory and the mediation queue, and of the API lists that page by themselves
(`kernel.api.pagination.paginate_fetched`). The search page reads its page through its form
(`matching.search.forms.SearchForm`).

Django's `Paginator.get_page` shows the first page for text that is not a number, and the
*last* page for a number below 1 or past the end. A number below 1 is a user asking for the
start (an edited URL, `page=0`), so it shows the first page here; one past the end still shows
the last. Only ASCII digits count as a number: Python's `int()` also reads "９" (full-width)
and "٣" (Arabic-Indic) as 9 and 3, which a URL should not mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

T = TypeVar("T")


#: More digits than this is past the end of any list (and `int()` refuses 4,300+ digits).
MAX_DIGITS = 18
PAST_THE_END: int = 10**MAX_DIGITS


def page_number(raw: str | None) -> int:
    """The page asked for by the `page` parameter `raw`: its ASCII digits as a number of at
    least 1; 1 for anything else (absent, empty, "abc", "-1", "0", "９"); 10**18 for more than
    `MAX_DIGITS` digits and for "last", as the API lists read it (`PAST_THE_END`: the last
    page)."""
    text = (raw or "").strip()
    if text == "last":
        return PAST_THE_END
    if not (text.isascii() and text.isdigit()):
        return 1
    # Leading zeros count for `int()`'s digit limit too (ValueError past 4,300 characters).
    digits = text.lstrip("0")
    if len(digits) > MAX_DIGITS:
        return PAST_THE_END
    return max(1, int(digits or "0"))


def page_of(
    items: Sequence[T] | QuerySet[Any, T], per_page: int, raw_number: str | None
) -> Page[T]:
    """The page of `items` (`per_page` a page) that the `page` parameter `raw_number` asks for,
    under `page_number`'s rule; a number past the end gives the last page, and an empty list
    one empty page (Django's `get_page`)."""
    return Paginator(items, per_page).get_page(page_number(raw_number))
