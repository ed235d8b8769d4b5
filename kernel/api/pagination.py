"""Page-number pagination for every list of the API: ``?page=`` (from 1, or ``last``) and
``?page_size=`` (default REST_FRAMEWORK["PAGE_SIZE"], at most `max_page_size`), answering
``{"count", "next", "previous", "results"}``.

A page size that is not a whole number ≥ 1 falls back to the default and a larger one is cut to
the maximum (DRF's behaviour); a page that is not a whole number ≥ 1, or lies past the end,
answers 404 in the one error shape. `paginate_fetched` gives the same behaviour to lists whose
source pages by itself (a search backend), so that search answers like every other list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from rest_framework import pagination
from rest_framework.request import Request

from kernel.pages import page_number

T = TypeVar("T")

#: fetch(page, page_size) -> (total number of items, the items of that page)
Fetch = Callable[[int, int], tuple[int, Sequence[T]]]


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class _FetchedPages(Sequence[T]):
    """A list of `total` items of which one page is at hand; Django's Paginator counts it and
    slices it, and a slice other than the fetched one is fetched."""

    def __init__(self, *, total: int, start: int, items: Sequence[T], page_size: int,
                 fetch: Fetch[T]) -> None:
        self.total, self.start, self.items = total, start, list(items)
        self.page_size, self.fetch = page_size, fetch

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start = index.start or 0
        stop = min(self.total, index.stop if index.stop is not None else self.total)
        if start != self.start:
            _total, items = self.fetch(start // self.page_size + 1, self.page_size)
            self.items, self.start = list(items), start
        return self.items[: max(0, stop - start)]


def _requested_page(paginator: PageNumberPagination, request: Request) -> int:
    """The page to fetch, under `kernel.pages.page_number`'s rule; DRF's paginator then
    checks the raw parameter itself (404 for "abc", "0" or a page past the end)."""
    return page_number(request.query_params.get(paginator.page_query_param))


def paginate_fetched(
    paginator: PageNumberPagination, request: Request, fetch: Fetch[T]
) -> list[T]:
    """The requested page of a list that `fetch` pages by itself, with the page size and page
    checks of every other list (404 `NotFound` for a bad page or one past the end). Fetches
    once, twice for ``page=last``. Then `paginator.get_paginated_response` shapes the answer."""
    page_size = paginator.get_page_size(request) or 20
    number = _requested_page(paginator, request)
    total, items = fetch(number, page_size)
    pages = _FetchedPages(
        total=total, start=(number - 1) * page_size, items=items, page_size=page_size,
        fetch=fetch,
    )
    # The stubs ask for a QuerySet; DRF's paginators take any sequence with len() and slices.
    page: Any = paginator.paginate_queryset(pages, request)  # type: ignore[arg-type]
    return list(page or [])
