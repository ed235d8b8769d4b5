"""Keep the search index in step with the listings (the database stays the source of truth).

Every save or delete of a ResearchResult or TechnologyNeed schedules, on commit, a re-read of
the listing and an index update in every configured backend; renaming an organisation
re-indexes its listings (the owner name is indexed). Search problems never fail a write: the
update runs after the commit, `SearchUnavailable` is logged and swallowed, and any other error
is logged by Django (`on_commit(..., robust=True)`). `manage.py update_index` repairs whatever
was missed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from marketplace.models import Organization, ResearchResult, TechnologyNeed
from matching.search import backend_names, get_search_backend
from matching.search.backends.base import ListingKind, SearchUnavailable
from matching.search.documents import document_for, kind_of, model_for

logger = logging.getLogger(__name__)


def update_listing_index(kind: ListingKind, object_id: int) -> None:
    """Index the listing's committed state in every backend (delete it if it is gone)."""
    listing = model_for(kind).objects.select_related("owner").filter(pk=object_id).first()
    document = document_for(listing) if listing is not None else None
    for name in backend_names():
        try:
            backend = get_search_backend(name)
            if document is None:
                backend.delete(kind, [object_id])
            else:
                backend.index([document])
        except SearchUnavailable as exc:
            logger.warning(
                "Search backend %r unavailable; %s %s not indexed (run update_index): %s",
                name,
                kind,
                object_id,
                exc,
            )


def _schedule(kind: ListingKind, object_id: int, using: str | None) -> None:
    # A named function, not functools.partial: robust on_commit logs failures by __qualname__.
    def reindex_listing() -> None:
        update_listing_index(kind, object_id)

    transaction.on_commit(reindex_listing, using=using, robust=True)


def listing_saved(
    sender: type[Any], instance: ResearchResult | TechnologyNeed, using: str, **kwargs: Any
) -> None:
    if not kwargs.get("raw"):  # loaddata: fixtures are indexed by update_index
        _schedule(kind_of(instance), instance.pk, using)


def listing_deleted(
    sender: type[Any], instance: ResearchResult | TechnologyNeed, using: str, **kwargs: Any
) -> None:
    _schedule(kind_of(instance), instance.pk, using)


def organization_saved(
    sender: type[Any], instance: Organization, using: str, created: bool, **kwargs: Any
) -> None:
    if created or kwargs.get("raw"):
        return
    for model in (ResearchResult, TechnologyNeed):
        for object_id in model.objects.filter(owner=instance).values_list("pk", flat=True):
            _schedule("result" if model is ResearchResult else "need", object_id, using)


def connect() -> None:
    """Connect the handlers (called once from MatchingConfig.ready)."""
    for model in (ResearchResult, TechnologyNeed):
        post_save.connect(listing_saved, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(
            listing_deleted, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
        )
    post_save.connect(organization_saved, sender=Organization, dispatch_uid="search-org-save")
