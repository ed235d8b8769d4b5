"""The embedded index's table, `SearchEntry`: rows written from documents, and the ORM filter
of a query.

A row holds a listing's segmented text per field (`tokens`: {"title", "title_en", "keywords",
"body", "grams"} → lists of terms, see `matching.search.segment`), the filter columns and the
original text (`stored`) for highlights and cards. Database errors propagate; the backend
turns them into SearchUnavailable.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from matching.models import SearchEntry
from matching.search import analysis
from matching.search.analysis import WORD_FIELDS
from matching.search.backends.base import (
    IndexDocument,
    ListingKind,
    ProgressCallback,
    SearchQuery,
)

REBUILD_BATCH = 500


def row_values(document: IndexDocument) -> dict[str, Any]:
    """The column values of `document`'s row (everything but kind and object_id)."""
    tokens = analysis.document_terms(document)
    return {
        "tokens": tokens,
        "length": sum(len(tokens[name]) for name in WORD_FIELDS),
        "field": document.field or "",
        "province": document.province or "",
        "city": document.city or "",
        "trl": document.trl,
        "stage": document.stage or "",
        "modes": list(document.modes),
        "price_min_cny": document.price_min_cny,
        "price_max_cny": document.price_max_cny,
        "expires_at": document.expires_at,
        "published_at": document.published_at,
        "stored": {
            "title": document.title,
            "title_en": document.title_en,
            "body": document.body,
            "keywords": list(document.keywords),
            "owner_name": document.owner_name,
        },
    }


def write(documents: Iterable[IndexDocument]) -> None:
    """Add or replace the rows of `documents` in one transaction (unsearchable ones removed)."""
    with transaction.atomic():
        for document in documents:
            if not document.searchable:
                SearchEntry.objects.filter(
                    kind=document.kind, object_id=document.object_id
                ).delete()
                continue
            SearchEntry.objects.update_or_create(
                kind=document.kind,
                object_id=document.object_id,
                defaults=row_values(document),
            )


def delete(kind: ListingKind, object_ids: list[int]) -> None:
    SearchEntry.objects.filter(kind=kind, object_id__in=object_ids).delete()


def replace_all(documents: Iterable[IndexDocument], progress: ProgressCallback | None) -> int:
    """Replace all rows in one transaction (readers see the old or the new index); returns
    the number of searchable documents written (duplicates once)."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        seen: set[tuple[str, int]] = set()
        batch: list[SearchEntry] = []
        done = 0
        for document in documents:
            key = (document.kind, document.object_id)
            if not document.searchable or key in seen:
                continue
            seen.add(key)
            batch.append(
                SearchEntry(
                    kind=document.kind, object_id=document.object_id, **row_values(document)
                )
            )
            if len(batch) >= REBUILD_BATCH:
                SearchEntry.objects.bulk_create(batch)
                done += len(batch)
                batch = []
                if progress is not None:
                    progress(done)
        if batch:
            SearchEntry.objects.bulk_create(batch)
            done += len(batch)
        if progress is not None:
            progress(done)
        return done


def filtered(query: SearchQuery) -> QuerySet[SearchEntry]:
    """Rows passing the query's filters, newest first (the order of text-less searches).

    The modes filter casts the JSON list to text and looks for `"code"`, which works the same
    on SQLite and PostgreSQL.
    """
    qs = SearchEntry.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.fields:
        qs = qs.filter(field__in=list(query.fields))
    if query.provinces:
        qs = qs.filter(province__in=list(query.provinces))
    if query.cities:
        qs = qs.filter(city__in=list(query.cities))
    if query.stages:
        qs = qs.filter(stage__in=list(query.stages))
    if query.modes:
        # Portable "JSON list contains any of": the list's JSON text contains "code".
        any_mode = Q()
        for mode in query.modes:
            any_mode |= Q(modes_text__contains=f'"{mode}"')
        qs = qs.annotate(modes_text=Cast("modes", output_field=TextField())).filter(any_mode)
    if query.trl_min is not None:
        qs = qs.filter(trl__gte=query.trl_min)
    if query.trl_max is not None:
        qs = qs.filter(trl__lte=query.trl_max)
    # Price overlap: a listing's range [min or max, max or min] meets the asked range.
    # Listings without any price are left out when a price bound is given.
    if query.price_min_cny is not None:
        qs = qs.filter(
            Q(price_max_cny__gte=query.price_min_cny)
            | Q(price_max_cny__isnull=True, price_min_cny__gte=query.price_min_cny)
        )
    if query.price_max_cny is not None:
        qs = qs.filter(
            Q(price_min_cny__lte=query.price_max_cny)
            | Q(price_min_cny__isnull=True, price_max_cny__lte=query.price_max_cny)
        )
    for kind, object_id in query.exclude:
        qs = qs.exclude(kind=kind, object_id=object_id)
    return qs.order_by(F("published_at").desc(nulls_last=True), "-id")
