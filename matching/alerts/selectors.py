"""Reads of saved searches and alert settings: each user sees only their own (others' saved
searches answer 404, so their existence is not revealed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from marketplace import roles
from marketplace.models import ResearchResult, TechnologyNeed
from matching.alerts.models import ALERT_EMAIL_DEFAULT, AlertSettings, ListingUnfollow, SavedSearch

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def saved_search_list(*, viewer: User) -> QuerySet[SavedSearch]:
    """The viewer's saved searches, newest first."""
    return SavedSearch.objects.filter(user_id=viewer.pk)


def saved_search_get(*, viewer: User, pk: int | str) -> SavedSearch:
    """One of the viewer's saved searches; Http404 for anyone else's or a missing one."""
    try:
        return saved_search_list(viewer=viewer).get(pk=int(pk))
    except (SavedSearch.DoesNotExist, ValueError):
        raise Http404 from None


def alert_settings_for(user: User) -> AlertSettings:
    """The user's alert settings (unsaved defaults when they never chose)."""
    row = AlertSettings.objects.filter(user_id=user.pk).first()
    return row or AlertSettings(user=user, email_mode=ALERT_EMAIL_DEFAULT)


@dataclass(frozen=True)
class FollowedListing:
    """A listing of the user's organisations and whether the user hears of its new matches."""

    kind: str
    listing: ResearchResult | TechnologyNeed
    follow: bool


def followed_listings(user: User) -> list[FollowedListing]:
    """Every listing of the user's organisations (results, then needs; newest first), with
    the user's follow state (on unless turned off)."""
    org_ids = roles.organization_ids(user)
    off = set(
        ListingUnfollow.objects.filter(user_id=user.pk).values_list("kind", "object_id")
    )
    rows: list[FollowedListing] = []
    pairs: tuple[tuple[str, type[ResearchResult] | type[TechnologyNeed]], ...] = (
        ("result", ResearchResult),
        ("need", TechnologyNeed),
    )
    for kind, model in pairs:
        for listing in model.objects.filter(owner_id__in=org_ids).order_by("-created_at", "-pk"):
            rows.append(FollowedListing(kind, listing, (kind, listing.pk) not in off))
    return rows
