"""Match requests carried by the transfer centre (`matching.mediation`): a request to an
organisation without members goes to the brokers' queue when it is made
(`mediate_if_unreachable`); an open request unanswered for `settings.REQUEST_ESCALATION_DAYS`
days is escalated there (`match_requests_escalate`, run by `manage.py escalate_requests`).

Brokers act on a request in the queue, one service per verb, each audited as a
`MatchRequestMediationEvent` (who, when, note): record the outcome of contacting the
organisation off the platform, invite it to claim its page (e-mailed to its contact address
when it has one), accept or decline on its behalf. Accepting and declining go through
`match_request_accept` / `match_request_decline`, so the requester is told as for any
decision and contact details follow the rules of accepted requests
(`matching.match_requests.selectors.visible_contact_sides`, with the transfer centre's
contact where the addressee has none: `transfer_centre_contact`); the note of either (required)
is addressed to the requester: a decline's explanation, an acceptance's message in the thread
and the requester's notification.

Errors: PermissionDeniedError (403: not a broker), DomainError (400 per field: outcome, note,
reason), ConflictError (409: the request is no longer open, or not in the queue).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from marketplace.selectors import organization_members
from matching.match_requests.services.decisions import match_request_accept, match_request_decline
from matching.match_requests.services.guards import SHOWN_WITH, require_open
from matching.match_requests.services.notifying import notify_users
from matching.mediation.common import (
    clean_note,
    clean_outcome,
    notify_brokers,
    send_claim_invitation,
)
from matching.mediation.escalation import escalate_due, lock_mediated, queue_if_unreachable
from matching.mediation.models import MediationAction
from matching.models import (
    DeclineReason,
    MatchRequest,
    MatchRequestMediationEvent,
    MatchRequestStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERB_MEDIATED = "match_request.mediated"
VERB_ESCALATED = "match_request.escalated"


def _params(match_request: MatchRequest) -> dict[str, str | int]:
    return {
        "match_request": match_request.pk,
        "organization": str(match_request.requester),
        "addressee": str(match_request.addressee),
        "result": match_request.research_result.title,
    }


def _event(
    match_request: MatchRequest, action: str, actor: User | None = None, **fields: str
) -> MatchRequestMediationEvent:
    return MatchRequestMediationEvent.objects.create(
        match_request=match_request, action=action, actor=actor, **fields
    )


def mediate_if_unreachable(match_request: MatchRequest) -> bool:
    """Send a new request to the brokers' queue when its addressee has no members, and notify
    the brokers. Returns whether it did (call inside the creating transaction)."""
    return queue_if_unreachable(
        match_request, organization_id=match_request.addressee_id,
        announce=_announce_mediation,
    )


def _announce_mediation(match_request: MatchRequest) -> None:
    _event(match_request, MediationAction.MEDIATED)
    notify_brokers(verb=VERB_MEDIATED, params=_params(match_request))


def _lock_mediated(match_request: MatchRequest, actor: User) -> MatchRequest:
    """The request locked, after checking that `actor` is a broker (403) and the request is
    in the queue and open (409)."""
    return lock_mediated(match_request, actor, related=SHOWN_WITH, require_open=require_open)


@transaction.atomic
def match_request_mediation_outcome(
    *, match_request: MatchRequest, actor: User, outcome: str, note: str = ""
) -> MatchRequestMediationEvent:
    """Record what came of contacting the addressee off the platform (a `MediationOutcome`)."""
    code = clean_outcome(outcome)
    text = clean_note(note)
    locked = _lock_mediated(match_request, actor)
    return _event(locked, MediationAction.OUTCOME, actor, outcome=code, note=text)


@transaction.atomic
def match_request_invite_to_claim(
    *, match_request: MatchRequest, actor: User, note: str = ""
) -> MatchRequestMediationEvent:
    """Record that the addressee was invited to claim its page; e-mail the invitation, with
    the page's absolute link, to its contact address when it has one (`emailed_to`)."""
    text = clean_note(note)
    locked = _lock_mediated(match_request, actor)
    addressee = locked.addressee
    emailed_to = addressee.contact_email if send_claim_invitation(addressee) else ""
    return _event(
        locked, MediationAction.INVITED_TO_CLAIM, actor, note=text, emailed_to=emailed_to
    )


@transaction.atomic
def match_request_accept_on_behalf(
    *, match_request: MatchRequest, actor: User, note: str = ""
) -> MatchRequest:
    """Accept a request in the queue on the addressee's behalf (`match_request_accept`); the
    note (required) is the broker's message to the requester."""
    text = clean_note(note, required=True)
    _lock_mediated(match_request, actor)
    match_request_accept(match_request=match_request, actor=actor, note=text)
    _event(match_request, MediationAction.ACCEPTED, actor, note=text)
    return match_request


@transaction.atomic
def match_request_decline_on_behalf(
    *, match_request: MatchRequest, actor: User, note: str,
    reason: str = DeclineReason.OTHER,
) -> MatchRequest:
    """Decline a request in the queue on the addressee's behalf (`match_request_decline`);
    the note (required) is the explanation the requester reads."""
    text = clean_note(note, required=True)
    _lock_mediated(match_request, actor)
    match_request_decline(match_request=match_request, actor=actor, reason=reason, text=text)
    _event(match_request, MediationAction.DECLINED, actor, note=text)
    return match_request


def match_requests_escalate(
    *, now: datetime | None = None, limit: int | None = None
) -> list[int]:
    """Escalate every open request made `settings.REQUEST_ESCALATION_DAYS` days or more
    before `now` (default: the current time) and not escalated yet: it joins the brokers'
    queue (if not there already), the brokers and the requester's members are told. Each
    request is escalated at most once (`escalated_at`), also when runs overlap. Returns the
    ids escalated (at most `limit`, oldest first)."""
    return escalate_due(
        MatchRequest.objects.filter(status=MatchRequestStatus.OPEN),
        now=now, limit=limit, related=SHOWN_WITH, announce=_announce_escalation,
    )


def _announce_escalation(locked: MatchRequest, brokers: Sequence[User]) -> None:
    _event(locked, MediationAction.ESCALATED)
    params = {**_params(locked), "days": settings.REQUEST_ESCALATION_DAYS}
    notify_brokers(verb=VERB_ESCALATED, params=params, brokers=brokers)
    notify_users(
        users=organization_members(locked.requester),
        verb=VERB_ESCALATED,
        match_request=locked,
        params={**params, "variant": "sender"},
    )
