"""1:1 meeting requests carried by the transfer centre (`matching.mediation`), as match
requests are (`matching.match_requests.services.mediation`): a request to a presenting
organisation without members goes to the brokers' queue when it is made
(`projects.meetings.services.mediate_if_unreachable`); a request still unanswered
(state requested) `settings.REQUEST_ESCALATION_DAYS` days after it was made is escalated there
(`meeting_requests_escalate`, run by `manage.py escalate_requests`).

Brokers' verbs, each audited as a `MeetingRequestMediationEvent` (who, when, note): the
outcome of contacting the organisation, an invitation to claim its page, accepting or
declining on its behalf (the requester is told as for any answer; the note of either,
required, is addressed to them: the decline's reason, the acceptance's message).
Meeting requests carry no contact details, so accepting reveals none.

Errors: PermissionDeniedError (403: not a broker), DomainError (400 per field),
ConflictError (409: answered already, or not in the queue).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from matching.mediation.common import (
    clean_note,
    clean_outcome,
    notify_brokers,
    send_claim_invitation,
)
from matching.mediation.escalation import escalate_due, lock_mediated
from matching.mediation.models import MediationAction
from projects.meetings.services import (
    SHOWN_WITH,
    clean_decline_reason,
    mediation_params,
    notify_meeting_users,
    record_acceptance,
    record_decline,
)
from projects.models import MeetingRequest, MeetingRequestMediationEvent, MeetingRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERB_ESCALATED = "meeting_request.escalated"


def _event(
    request: MeetingRequest, action: str, actor: User | None = None, **fields: str
) -> MeetingRequestMediationEvent:
    return MeetingRequestMediationEvent.objects.create(
        request=request, action=action, actor=actor, **fields
    )


def _lock_mediated(request: MeetingRequest, actor: User) -> MeetingRequest:
    """The request locked, after checking that `actor` is a broker (403), and that the
    request is in the queue and still unanswered (409)."""
    return lock_mediated(request, actor, related=SHOWN_WITH, require_open=_require_unanswered)


def _require_unanswered(request: MeetingRequest) -> None:
    if request.status != MeetingRequestStatus.REQUESTED:
        raise ConflictError(_("This request has already been answered."))


@transaction.atomic
def meeting_request_mediation_outcome(
    *, request: MeetingRequest, actor: User, outcome: str, note: str = ""
) -> MeetingRequestMediationEvent:
    """Record what came of contacting the presenting organisation off the platform."""
    code = clean_outcome(outcome)
    text = clean_note(note)
    locked = _lock_mediated(request, actor)
    return _event(locked, MediationAction.OUTCOME, actor, outcome=code, note=text)


@transaction.atomic
def meeting_request_invite_to_claim(
    *, request: MeetingRequest, actor: User, note: str = ""
) -> MeetingRequestMediationEvent:
    """Record that the presenting organisation was invited to claim its page; e-mail it the
    invitation when it has a contact address (`emailed_to`)."""
    text = clean_note(note)
    locked = _lock_mediated(request, actor)
    organization = locked.presenter_organization
    emailed_to = organization.contact_email if send_claim_invitation(organization) else ""
    return _event(
        locked, MediationAction.INVITED_TO_CLAIM, actor, note=text, emailed_to=emailed_to
    )


@transaction.atomic
def meeting_request_accept_on_behalf(
    *, request: MeetingRequest, actor: User, note: str = ""
) -> MeetingRequest:
    """Accept a request in the queue for the presenting organisation (requested → accepted);
    the note (required) is the broker's message to the requester, in their notification."""
    text = clean_note(note, required=True)
    locked = _lock_mediated(request, actor)
    record_acceptance(locked, actor, on_behalf=True, note=text)
    _event(locked, MediationAction.ACCEPTED, actor, note=text)
    return locked


@transaction.atomic
def meeting_request_decline_on_behalf(
    *, request: MeetingRequest, actor: User, note: str
) -> MeetingRequest:
    """Decline a request in the queue for the presenting organisation; the note (required) is
    the reason the requester reads."""
    text = clean_decline_reason(note, field="note")
    locked = _lock_mediated(request, actor)
    record_decline(locked, actor, text, on_behalf=True)
    _event(locked, MediationAction.DECLINED, actor, note=text)
    return locked


def meeting_requests_escalate(
    *, now: datetime | None = None, limit: int | None = None
) -> list[int]:
    """Escalate every request still in state requested `settings.REQUEST_ESCALATION_DAYS`
    days or more after it was made, and not escalated yet: it joins the brokers' queue (if
    not there already); the brokers and the requester are told. At most once per request
    (`escalated_at`). Returns the ids escalated (at most `limit`, oldest first)."""
    return escalate_due(
        MeetingRequest.objects.filter(status=MeetingRequestStatus.REQUESTED),
        now=now, limit=limit, related=SHOWN_WITH, announce=_announce_escalation,
    )


def _announce_escalation(locked: MeetingRequest, brokers: Sequence[User]) -> None:
    _event(locked, MediationAction.ESCALATED)
    params = {**mediation_params(locked), "days": settings.REQUEST_ESCALATION_DAYS}
    notify_brokers(verb=VERB_ESCALATED, params=params, brokers=brokers)
    notify_meeting_users(users=[locked.requester], verb=VERB_ESCALATED,
                         roadshow=locked.roadshow, params={**params, "variant": "sender"})
