"""The two steps that match requests and 1:1 meeting requests take alike in the brokers'
queue (`matching.mediation`), each kind passing its own model, open state and notifications:
`queue_if_unreachable` sends a new request to an organisation without members there,
`escalate_due` escalates the open requests unanswered for `settings.REQUEST_ESCALATION_DAYS`
days, `lock_mediated` locks a request a broker acts on after checking it is in the queue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from kernel.locking import lock_row, lock_row_in
from marketplace import roles
from marketplace.selectors import has_active_members
from matching.mediation.common import escalation_cutoff, require_broker
from matching.mediation.models import Mediated, MediationReason

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from marketplace.roles import AnyUser

RequestT = TypeVar("RequestT", bound=Mediated)


def queue_if_unreachable(
    request: RequestT, *, organization_id: int, announce: Callable[[RequestT], None]
) -> bool:
    """Send a new request to the brokers' queue (reason no members) when the organisation it
    is addressed to, `organization_id`, has no active members (`has_active_members`), then
    run `announce` (the kind's audit event and the brokers' notification). Returns whether it
    did (call inside the creating transaction)."""
    if has_active_members(organization_id):
        return False
    request.mediated_at = timezone.now()
    request.mediation_reason = MediationReason.NO_MEMBERS
    request.save(update_fields=["mediated_at", "mediation_reason"])
    announce(request)
    return True


def escalate_due(
    open_requests: QuerySet[RequestT],
    *,
    now: datetime | None,
    limit: int | None,
    related: Sequence[str],
    announce: Callable[[RequestT, Sequence[User]], None],
) -> list[int]:
    """Escalate every request of `open_requests` (the kind's unanswered requests) made
    `settings.REQUEST_ESCALATION_DAYS` days or more before `now` (default: the current time)
    and not escalated yet: it joins the brokers' queue (if not there already, reason
    unanswered) and `announce` (the kind's audit event and notifications, given the brokers,
    read once for the whole run) runs in the same transaction, one per request. A request
    answered or escalated since the list was read is left alone, so each is escalated at
    most once (`escalated_at`), also when runs overlap. Returns the ids escalated (at most
    `limit`, oldest first)."""
    now = now or timezone.now()
    due = open_requests.filter(escalated_at__isnull=True, created_at__lte=escalation_cutoff(now))
    pks = list(due.order_by("pk").values_list("pk", flat=True)[:limit])
    if not pks:
        return []
    brokers = list(roles.brokers())
    return [pk for pk in pks if _escalate_one(due, pk, now, related, announce, brokers)]


@transaction.atomic
def _escalate_one(
    due: QuerySet[RequestT],
    pk: int,
    now: datetime,
    related: Sequence[str],
    announce: Callable[[RequestT, Sequence[User]], None],
    brokers: Sequence[User],
) -> bool:
    locked = lock_row_in(due, pk, related=related)
    if locked is None:
        return False  # answered or escalated since the list was read
    locked.escalated_at = now
    if locked.mediated_at is None:
        locked.mediated_at = now
        locked.mediation_reason = MediationReason.UNANSWERED
    locked.save(update_fields=["escalated_at", "mediated_at", "mediation_reason"])
    announce(locked, brokers)
    return True


def lock_mediated(
    request: RequestT,
    actor: AnyUser,
    *,
    related: Sequence[str],
    require_open: Callable[[RequestT], None],
) -> RequestT:
    """`request` locked (call inside `transaction.atomic`), after checking that `actor` is a
    broker (PermissionDeniedError, 403), that the request is in the queue (ConflictError,
    409, code not_mediated) and that it is still open (`require_open`, the kind's check)."""
    require_broker(actor)
    locked = lock_row(request, related=related)
    if locked.mediated_at is None:
        raise ConflictError(
            _("This request is not in the transfer centre's queue."), code="not_mediated"
        )
    require_open(locked)
    return locked
