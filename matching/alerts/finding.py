"""Who hears of a new listing: the alerts worker's first half (see `manage.py send_match_alerts`).

`drain_alert_outbox` takes each due `AlertOutbox` row (a publication) and finds:

- the owners of strong matches on the other side: for a new need, the research results among
  its matches (`matching.matcher.matches_for_need`) whose strength is "strong", and the members
  of each result's organisation (`organization_members`) unless they unfollowed that result;
  the same the other way round for a new research result (`matches_for_result`);
- the users whose saved search the listing satisfies (`matching.alerts.queries.satisfies`).

Nobody is told of their own organisation's listing. Each person gets at most one `Alert` per
new listing (the unique constraint; the first reason found wins, strong matches first in the
matcher's order, then saved searches), written together with its in-app notification in one
transaction, so a retried pass, two workers or a re-published listing never tell anyone
twice. E-mails follow in `matching.alerts.delivery`.

A row waits (with back-off, `kernel.backoff`) while its listing's change is still in the
search outbox (the index does not have it yet) or when matching or search fails; a listing no
longer searchable when its row comes up is dropped without alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.backoff import retry_delay
from marketplace.models import ResearchResult, TechnologyNeed
from marketplace.notifications import notify
from marketplace.selectors import listing_searchable_q, organization_members
from matching import matcher
from matching.alerts.models import (
    ALERT_EMAIL_DEFAULT,
    Alert,
    AlertOutbox,
    AlertReason,
    AlertSettings,
    EmailMode,
    EmailState,
    ListingUnfollow,
    SavedSearch,
)
from matching.models import SearchOutbox
from matching.search import get_search_backend
from matching.search.documents import document_for, model_for

from .queries import satisfies, search_query

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from matching.search.backends.base import ListingKind

logger = logging.getLogger(__name__)

Listing = ResearchResult | TechnologyNeed


@dataclass
class AlertReport:
    """What one pass did: publications handled, alerts written, e-mails and digests sent,
    rows or e-mails that failed (they wait with back-off) and the first errors."""

    publications: int = 0
    alerts: int = 0
    emails: int = 0
    digests: int = 0
    waiting: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.publications} publication(s), {self.alerts} alert(s), {self.emails} "
            f"e-mail(s), {self.digests} digest(s), {self.waiting} waiting, {self.failed} failed"
        )


@dataclass(frozen=True)
class Recipient:
    """One person to tell, why (reason, source) and with which notification."""

    user: Any
    reason: str
    source: str
    verb: str
    params: dict[str, str | int]


def _listing_params(kind: str, listing: Listing) -> dict[str, str | int]:
    return {"listing": listing.pk, "kind": kind, "title": listing.title}


def _match_recipients(kind: str, listing: Listing) -> Iterator[Recipient]:
    """Members of the organisations whose listings strongly match `listing`, best first."""
    limit = int(settings.ALERT_MATCH_LIMIT)
    if isinstance(listing, TechnologyNeed):
        matches = matcher.matches_for_need(need=listing, limit=limit)
        verb, other_kind = "alert.need_for_result", "result"
    else:
        matches = matcher.matches_for_result(result=listing, limit=limit)
        verb, other_kind = "alert.result_for_need", "need"
    strong = [match.listing for match in matches if match.strength == "strong"]
    unfollowed = set(
        ListingUnfollow.objects.filter(
            kind=other_kind, object_id__in=[own.pk for own in strong]
        ).values_list("object_id", "user_id")
    )
    members: dict[int, list[Any]] = {}
    for own in strong:
        if own.owner_id not in members:
            members[own.owner_id] = list(organization_members(own.owner_id))
        params = {**_listing_params(kind, listing), "own": own.title}
        for user in members[own.owner_id]:
            if (own.pk, user.pk) not in unfollowed:
                yield Recipient(user, AlertReason.MATCH, f"{other_kind}:{own.pk}", verb, params)


def _saved_search_recipients(kind: str, listing: Listing) -> Iterator[Recipient]:
    """Users whose saved search finds `listing`."""
    document = document_for(listing)
    backend = get_search_backend()
    searches = SavedSearch.objects.filter(user__is_active=True).select_related("user")
    for saved in searches.order_by("id").iterator():
        if satisfies(search_query(saved.query), document, backend):
            params = {**_listing_params(kind, listing), "search": saved.name}
            yield Recipient(
                saved.user, AlertReason.SAVED_SEARCH, f"search:{saved.pk}", "alert.saved_search",
                params,
            )


def _email_state(user: User) -> str:
    """An alert's first e-mail state: skipped for users who want none or have no address."""
    mode = (
        AlertSettings.objects.filter(user=user).values_list("email_mode", flat=True).first()
        or ALERT_EMAIL_DEFAULT
    )
    if mode == EmailMode.NONE or not user.email:
        return EmailState.SKIPPED
    return EmailState.PENDING


def _alert(kind: str, listing: Listing, recipient: Recipient) -> bool:
    """Write one alert and its notification together; False when the person was already
    told of this listing."""
    try:
        with transaction.atomic():
            Alert.objects.create(
                recipient=recipient.user,
                kind=kind,
                object_id=listing.pk,
                reason=recipient.reason,
                source=recipient.source,
                verb=recipient.verb,
                params=recipient.params,
                email_state=_email_state(recipient.user),
            )
            notify(
                users=[recipient.user], verb=recipient.verb, params=recipient.params, email=False
            )
    except IntegrityError:
        return False
    return True


def alerts_for_listing(kind: str, listing: Listing) -> int:
    """Tell everyone who should hear of the published `listing` (see the module docstring);
    returns how many alerts were written now. Raises SearchUnavailable (and whatever the
    matcher raises)."""
    owners = set(organization_members(listing.owner_id).values_list("pk", flat=True))
    told: set[int] = set(
        Alert.objects.filter(kind=kind, object_id=listing.pk).values_list("recipient_id", flat=True)
    )
    written = 0
    for source in (_match_recipients, _saved_search_recipients):
        for recipient in source(kind, listing):
            if recipient.user.pk in owners or recipient.user.pk in told:
                continue
            told.add(recipient.user.pk)
            written += _alert(kind, listing, recipient)
    return written


def alert_retry_delay(attempts: int) -> timedelta:
    """The back-off after the `attempts`-th failure (`kernel.backoff.retry_delay` with
    ALERT_RETRY_BASE_SECONDS and ALERT_RETRY_MAX_SECONDS, equal jitter)."""
    return retry_delay(
        attempts,
        base_seconds=float(settings.ALERT_RETRY_BASE_SECONDS),
        max_seconds=float(settings.ALERT_RETRY_MAX_SECONDS),
        jitter=True,
    )


def _retry(row: AlertOutbox, error: str) -> None:
    row.failed(error[:2000], alert_retry_delay)
    row.save(update_fields=list(AlertOutbox.RETRY_FIELDS))


def _handle(row: AlertOutbox, report: AlertReport) -> None:
    model = model_for(cast("ListingKind", row.kind))  # "result" or "need" (its choices)
    listing = (
        model.objects.filter(listing_searchable_q(model), pk=row.object_id)
        .select_related("owner")
        .first()
    )
    if listing is None:  # unpublished or expired meanwhile: nobody to tell
        row.delete()
        return
    if SearchOutbox.objects.filter(kind=row.kind, object_id=row.object_id).exists():
        report.waiting += 1
        _retry(row, "waiting for the search index (search_sync)")
        return
    try:
        report.alerts += alerts_for_listing(row.kind, listing)
    except Exception as exc:  # search down, matcher failure: retried with back-off
        logger.warning("Alerts of %s:%s failed: %s", row.kind, row.object_id, exc)
        report.failed += 1
        report.errors.append(f"{row.kind}:{row.object_id}: {exc}")
        _retry(row, str(exc) or type(exc).__name__)
        return
    report.publications += 1
    row.delete()


def drain_alert_outbox(
    report: AlertReport,
    *,
    batch_size: int = 100,
    ignore_backoff: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Handle every due publication once, oldest first, `batch_size` rows at a time; what
    fails waits for a later pass."""
    started = timezone.now()
    cursor = 0
    while not (should_stop and should_stop()):
        due = AlertOutbox.objects.filter(pk__gt=cursor)
        if not ignore_backoff:
            due = due.filter(next_attempt_at__lte=started)
        batch = list(due.order_by("id")[:batch_size])
        if not batch:
            return
        cursor = batch[-1].pk
        for row in batch:
            if should_stop and should_stop():
                return
            _handle(row, report)

