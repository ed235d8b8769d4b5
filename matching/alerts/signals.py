"""A published listing into the alerts outbox, in the publishing transaction.

`marketplace.signals.listing_published` is sent inside `listing_approve`'s transaction; the row
written here commits or rolls back with the publication. Nothing else happens in the request:
the matcher, the saved searches and the e-mails run in `manage.py send_match_alerts`.
"""

from __future__ import annotations

from typing import Any

from marketplace.models import ResearchResult, TechnologyNeed
from marketplace.signals import listing_published
from matching.alerts.models import AlertOutbox
from matching.search.documents import kind_of


def publication_recorded(
    sender: type[Any], listing: ResearchResult | TechnologyNeed, **kwargs: Any
) -> None:
    AlertOutbox.objects.create(kind=kind_of(listing), object_id=listing.pk)


def connect() -> None:
    """Connect the receiver (called once from MatchingConfig.ready)."""
    listing_published.connect(publication_recorded, dispatch_uid="alerts-publication")
