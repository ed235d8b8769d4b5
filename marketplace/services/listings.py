"""Writes of listings' content: create and update research results and technology needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kernel.errors import PermissionDeniedError
from kernel.locking import lock_row
from marketplace import roles
from marketplace.choices import ListingStatus
from marketplace.models import (
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.notifications import notify
from marketplace.services.common import (
    EDITABLE_STATUSES,
    RESEARCH_RESULT_FIELDS,
    TECHNOLOGY_NEED_FIELDS,
    ListingT,
    _brokers,
    _check_unknown,
    _full_clean,
    _listing_params,
    _normalize_listing_data,
    _require_listing_editor,
    _require_status,
    _resolve_owner,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _listing_create(
    model: type[ListingT],
    allowed: frozenset[str],
    *,
    actor: User,
    owner: Organization | None,
    data: Mapping[str, Any],
) -> ListingT:
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in to create a listing."))
    _check_unknown(data, allowed)
    resolved_owner = _resolve_owner(actor=actor, owner=owner)
    errors: dict[str, list[str | Promise]] = {}
    cleaned = _normalize_listing_data(data, errors)
    listing = model(**cleaned, owner=resolved_owner, created_by=actor, status=ListingStatus.DRAFT)
    _full_clean(listing, errors)
    listing.save()
    return listing


# Fields only owner members and brokers see: changing them does not need a new review.
PRIVATE_LISTING_FIELDS = frozenset({"confidential_details"})


def _listing_update(
    listing: ListingT, allowed: frozenset[str], *, actor: User, data: Mapping[str, Any]
) -> ListingT:
    _require_listing_editor(listing=listing, actor=actor)
    _check_unknown(data, allowed)
    listing = lock_row(listing)
    _require_status(listing, *EDITABLE_STATUSES)
    errors: dict[str, list[str | Promise]] = {}
    cleaned = _normalize_listing_data(data, errors)
    public = [name for name in cleaned if name not in PRIVATE_LISTING_FIELDS]
    before = {name: getattr(listing, name) for name in public}
    for name, value in cleaned.items():
        setattr(listing, name, value)
    _full_clean(listing, errors)  # also converts the values to their Python types
    changed = [name for name in public if getattr(listing, name) != before[name]]
    needs_review = (
        listing.status == ListingStatus.PUBLISHED and bool(changed) and not roles.is_broker(actor)
    )
    if needs_review:
        listing.status = ListingStatus.PENDING_REVIEW
    listing.save()
    if needs_review:
        notify(users=_brokers(), verb="listing.changed", params=_listing_params(listing))
    return listing


@transaction.atomic
def research_result_create(
    *, actor: User, data: Mapping[str, Any], owner: Organization | None = None
) -> ResearchResult:
    """Create a draft research result.

    `data` keys: `RESEARCH_RESULT_FIELDS` (`title` required; `asking_price_cny` a Decimal CNY;
    `ipc` a list of IPC symbols and `patent_no` a CNIPA number, both normalised; `trl` 1-9,
    GB/T 22900). `owner` defaults to the actor's primary organisation; a non-broker must be a
    member of it. Raises `DomainError` (fields) or `PermissionDeniedError`.
    """
    return _listing_create(
        ResearchResult, RESEARCH_RESULT_FIELDS, actor=actor, owner=owner, data=data
    )


@transaction.atomic
def research_result_update(
    *, research_result: ResearchResult, actor: User, data: Mapping[str, Any]
) -> ResearchResult:
    """Change a research result's content (owner members or brokers), in draft, pending review
    or published state; archived results are read-only (`ConflictError`).

    When an owner member who is not a broker changes the public content of a published result
    (any field but `confidential_details`), it goes back to pending_review (out of search until
    a broker approves it again) and the brokers are notified; brokers' edits keep the status.
    `data` keys: `RESEARCH_RESULT_FIELDS`."""
    return _listing_update(research_result, RESEARCH_RESULT_FIELDS, actor=actor, data=data)


@transaction.atomic
def technology_need_create(
    *, actor: User, data: Mapping[str, Any], owner: Organization | None = None
) -> TechnologyNeed:
    """Create a draft technology need.

    `data` keys: `TECHNOLOGY_NEED_FIELDS` (`title` required; budgets Decimal CNY with
    min <= max; `deadline` a date). Same owner and error rules as `research_result_create`.
    """
    return _listing_create(
        TechnologyNeed, TECHNOLOGY_NEED_FIELDS, actor=actor, owner=owner, data=data
    )


@transaction.atomic
def technology_need_update(
    *, technology_need: TechnologyNeed, actor: User, data: Mapping[str, Any]
) -> TechnologyNeed:
    """Change a technology need's content (owner members or brokers); archived and closed
    needs are read-only (`ConflictError`).

    Same review rule as `research_result_update`: an owner member's (non-broker's) change to
    the public content of a published need sends it back to pending_review and notifies the
    brokers; brokers' edits keep the status. `data` keys: `TECHNOLOGY_NEED_FIELDS`."""
    return _listing_update(technology_need, TECHNOLOGY_NEED_FIELDS, actor=actor, data=data)
