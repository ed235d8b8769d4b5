"""The listing moderation workflow: submit, approve, reject, archive, close, renew (see the
package docstring for the states)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError
from kernel.locking import lock_row
from marketplace import roles
from marketplace.choices import ListingStatus
from marketplace.models import (
    TechnologyNeed,
)
from marketplace.notifications import notify
from marketplace.selectors import organization_members
from marketplace.services.common import (
    ListingT,
    _brokers,
    _listing_params,
    _require_broker,
    _require_listing_editor,
    _require_owner_member,
    _require_status,
)
from marketplace.signals import listing_published

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def listing_submit(*, listing: ListingT, actor: User) -> ListingT:
    """Send a draft for review: draft -> pending_review (owner members or brokers); the
    brokers are notified (``listing.submitted``, one notification each).

    Only complete listings can be submitted (`Listing.missing_for_submission`); otherwise a
    `DomainError` lists each missing field. Clears an earlier rejection reason. Members of an
    organisation pending verification or rejected may not submit (403, code
    ``organization_unverified``: `roles.require_organization_in_good_standing`).
    """
    _require_listing_editor(listing=listing, actor=actor)
    roles.require_organization_in_good_standing(actor=actor, organization=listing.owner)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.DRAFT)
    missing = listing.missing_for_submission()
    if missing:
        raise DomainError(
            _("Complete the listing before submitting it for review."),
            code="incomplete",
            fields={name: [_("This field is required before submission.")] for name in missing},
        )
    listing.status = ListingStatus.PENDING_REVIEW
    listing.rejection_reason = ""
    listing.save(update_fields=["status", "rejection_reason", "updated_at"])
    notify(
        users=_brokers(),
        verb="listing.submitted",
        params={**_listing_params(listing), "name": listing.owner.legal_name},
    )
    return listing


@transaction.atomic
def listing_approve(*, listing: ListingT, actor: User) -> ListingT:
    """Publish a listing after review: pending_review -> published (brokers only).

    Sets `published_at` and `renewed_at` to now (UTC), records the reviewer, and notifies the
    owner organisation's members (in-app and e-mail on commit). Sends `listing_published`
    in the transaction (matching records the publication for its alerts worker).
    """
    _require_broker(actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PENDING_REVIEW)
    now = timezone.now()
    listing.status = ListingStatus.PUBLISHED
    listing.published_at = now
    listing.renewed_at = now
    listing.reviewed_by = actor
    listing.reviewed_at = now
    listing.rejection_reason = ""
    listing.save()
    notify(
        users=organization_members(listing.owner_id),
        verb="listing.approved",
        params=_listing_params(listing),
    )
    listing_published.send(sender=type(listing), listing=listing)
    return listing


@transaction.atomic
def listing_reject(*, listing: ListingT, actor: User, reason: str) -> ListingT:
    """Send a listing back to its owner: pending_review -> draft (brokers only).

    `reason` is required (stored in `rejection_reason`, shown to the owner) and the owner
    organisation's members are notified.
    """
    _require_broker(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give a reason for the rejection."),
            code="reason_required",
            fields={"reason": [_("Give a reason for the rejection.")]},
        )
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PENDING_REVIEW)
    listing.status = ListingStatus.DRAFT
    listing.rejection_reason = reason
    listing.reviewed_by = actor
    listing.reviewed_at = timezone.now()
    listing.save()
    notify(
        users=organization_members(listing.owner_id),
        verb="listing.rejected",
        params={**_listing_params(listing), "reason": reason},
    )
    return listing


@transaction.atomic
def listing_archive(*, listing: ListingT, actor: User) -> ListingT:
    """Take a listing off the market: published -> archived (owner members or brokers)."""
    _require_listing_editor(listing=listing, actor=actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PUBLISHED)
    listing.status = ListingStatus.ARCHIVED
    listing.save(update_fields=["status", "updated_at"])
    return listing


@transaction.atomic
def need_close(*, need: TechnologyNeed, actor: User) -> TechnologyNeed:
    """Mark a need as solved or withdrawn: published -> closed (members of the owner only)."""
    _require_owner_member(listing=need, actor=actor)
    need = lock_row(need)
    _require_status(need, ListingStatus.PUBLISHED)
    need.status = ListingStatus.CLOSED
    need.save(update_fields=["status", "updated_at"])
    return need


@transaction.atomic
def listing_renew(*, listing: ListingT, actor: User) -> ListingT:
    """Keep a published listing in search for another `LISTING_RENEWAL_DAYS` (365) days from
    now: sets `renewed_at` to now, UTC (members of the owner only). A need still leaves search at
    its deadline."""
    _require_owner_member(listing=listing, actor=actor)
    listing = lock_row(listing)
    _require_status(listing, ListingStatus.PUBLISHED)
    listing.renewed_at = timezone.now()
    listing.save(update_fields=["renewed_at", "updated_at"])
    return listing
