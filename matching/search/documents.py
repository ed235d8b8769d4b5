"""What the search index sees of a listing: `IndexDocument`s built from the ORM.

- `document_for(listing)`: one ResearchResult or TechnologyNeed as plain data.
- `documents_for_all()`: every published listing, for `update_index` (one query per kind,
  owners joined, streamed in chunks).
- `listing_querysets()`: the querysets behind it, so callers can count before iterating.
- `kind_of`, `model_for`, `listing_url`: small helpers shared with the API and signals.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TypeAlias

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from marketplace.choices import ListingStatus
from marketplace.models import ResearchResult, TechnologyNeed
from matching.search.backends.base import KINDS, IndexDocument, ListingKind

AnyListing: TypeAlias = ResearchResult | TechnologyNeed

#: URL names of the listing detail pages (marketplace/web_urls.py), with a fallback path.
_DETAIL_URL_NAMES: dict[ListingKind, str] = {"result": "result-detail", "need": "need-detail"}
_FALLBACK_PATHS: dict[ListingKind, str] = {"result": "/results/{}/", "need": "/needs/{}/"}


def kind_of(listing: AnyListing) -> ListingKind:
    """ "result" for a ResearchResult, "need" for a TechnologyNeed (TypeError otherwise)."""
    if isinstance(listing, ResearchResult):
        return "result"
    if isinstance(listing, TechnologyNeed):
        return "need"
    raise TypeError(f"Not a listing: {listing!r}")


def model_for(kind: ListingKind) -> type[ResearchResult] | type[TechnologyNeed]:
    return ResearchResult if kind == "result" else TechnologyNeed


def _as_tuple(value: object) -> tuple[str, ...]:
    """Keywords/IPC/modes are JSON lists; tolerate a single string and blanks."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(item).strip() for item in value if str(item).strip())


def document_for(listing: AnyListing) -> IndexDocument:
    """The index's view of `listing`. `searchable` is False unless it is published (expiry is
    a filter at query time, see `expires_at`). Reads `listing.owner` (select it related)."""
    price_min: Decimal | None
    price_max: Decimal | None
    if isinstance(listing, ResearchResult):
        kind: ListingKind = "result"
        body = listing.summary
        stage = listing.stage
        modes = _as_tuple(listing.transfer_modes)
        price_min = price_max = listing.asking_price_cny
    else:
        kind = "need"
        body = listing.description
        stage = ""
        modes = _as_tuple(listing.cooperation_modes)
        price_min, price_max = listing.budget_min_cny, listing.budget_max_cny
    return IndexDocument(
        kind=kind,
        object_id=listing.pk,
        title=listing.title,
        title_en=listing.title_en,
        body=body,
        keywords=_as_tuple(listing.keywords),
        ipc=_as_tuple(listing.ipc),
        field=listing.field,
        province=listing.province,
        city=listing.city,
        trl=listing.trl,
        stage=stage,
        modes=modes,
        price_min_cny=price_min,
        price_max_cny=price_max,
        owner_name=listing.owner.legal_name if listing.owner_id else "",
        expires_at=listing.expires_at(),
        searchable=listing.status == ListingStatus.PUBLISHED,
        published_at=listing.published_at,
    )


def listing_querysets() -> dict[ListingKind, QuerySet[ResearchResult] | QuerySet[TechnologyNeed]]:
    """Published listings per kind with their owners joined (what a rebuild indexes)."""
    return {
        kind: model_for(kind)
        .objects.filter(status=ListingStatus.PUBLISHED)
        .select_related("owner")
        .order_by("pk")
        for kind in KINDS
    }


def documents_for_all(chunk_size: int = 500) -> Iterator[IndexDocument]:
    """Every searchable listing as a document: results first, then needs, by id."""
    for queryset in listing_querysets().values():
        for listing in queryset.iterator(chunk_size=chunk_size):
            yield document_for(listing)


def listing_url(kind: ListingKind, object_id: int) -> str:
    """Path of the listing's web page."""
    try:
        return reverse(_DETAIL_URL_NAMES[kind], kwargs={"pk": object_id})
    except NoReverseMatch:
        return _FALLBACK_PATHS[kind].format(object_id)


def listings_for_hits(
    hits: Iterable[tuple[ListingKind, int]],
) -> dict[tuple[ListingKind, int], AnyListing]:
    """The published listings behind search hits, owners joined (two queries at most).

    Hits whose listing is gone or no longer published (the index lags a moment behind) are
    missing from the result; callers skip them."""
    wanted: dict[ListingKind, list[int]] = {kind: [] for kind in KINDS}
    for kind, object_id in hits:
        wanted[kind].append(object_id)
    found: dict[tuple[ListingKind, int], AnyListing] = {}
    for kind, ids in wanted.items():
        if not ids:
            continue
        listings = (
            model_for(kind)
            .objects.filter(pk__in=ids, status=ListingStatus.PUBLISHED)
            .select_related("owner")
        )
        for listing in listings:
            found[(kind, listing.pk)] = listing
    return found
