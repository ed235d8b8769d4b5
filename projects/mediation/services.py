"""The brokers' verbs on an item of the mediation queue, passed on to the services of its
kind (`matching.match_requests.services.mediation`, `projects.meetings.mediation`), where
the rules and the audit live. Each returns nothing; callers read the item again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from matching.match_requests import services as match_services
from matching.models import DeclineReason, MatchRequest
from projects.meetings import mediation as meeting_services

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from projects.mediation.selectors import MediatedItem


def mediated_request_record_outcome(
    *, item: MediatedItem, actor: User, outcome: str, note: str = ""
) -> None:
    """Record the outcome of contacting the organisation off the platform."""
    if isinstance(item.request, MatchRequest):
        match_services.match_request_mediation_outcome(
            match_request=item.request, actor=actor, outcome=outcome, note=note
        )
    else:
        meeting_services.meeting_request_mediation_outcome(
            request=item.request, actor=actor, outcome=outcome, note=note
        )


def mediated_request_invite_to_claim(*, item: MediatedItem, actor: User, note: str = "") -> None:
    """Invite the organisation to claim its page (e-mailed when it has a contact address)."""
    if isinstance(item.request, MatchRequest):
        match_services.match_request_invite_to_claim(
            match_request=item.request, actor=actor, note=note
        )
    else:
        meeting_services.meeting_request_invite_to_claim(
            request=item.request, actor=actor, note=note
        )


def mediated_request_accept(*, item: MediatedItem, actor: User, note: str = "") -> None:
    """Accept on the organisation's behalf."""
    if isinstance(item.request, MatchRequest):
        match_services.match_request_accept_on_behalf(
            match_request=item.request, actor=actor, note=note
        )
    else:
        meeting_services.meeting_request_accept_on_behalf(
            request=item.request, actor=actor, note=note
        )


def mediated_request_decline(
    *, item: MediatedItem, actor: User, note: str, reason: str = ""
) -> None:
    """Decline on the organisation's behalf; `reason` (a `DeclineReason` code, default other)
    applies to match requests only."""
    if isinstance(item.request, MatchRequest):
        match_services.match_request_decline_on_behalf(
            match_request=item.request, actor=actor, note=note,
            reason=reason or DeclineReason.OTHER,
        )
    else:
        meeting_services.meeting_request_decline_on_behalf(
            request=item.request, actor=actor, note=note
        )
