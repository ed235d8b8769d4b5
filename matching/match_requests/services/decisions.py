"""Deciding match requests: accept, decline (with a reason), withdraw.

Members of the addressed organisation accept or decline; brokers (技术经纪人) may do so on
their behalf, which the thread records and both sides are told of. Members of the requesting
organisation withdraw. Rules are in the package docstring (`matching.match_requests.services`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.errors import PermissionDeniedError, field_error
from kernel.locking import copy_locked_fields, lock_row
from marketplace import roles
from marketplace.selectors import organization_members
from matching.match_requests import thread_lines
from matching.match_requests.services.guards import SHOWN_WITH, clean_text, require_open
from matching.match_requests.services.notifying import (
    VERB_ACCEPTED,
    VERB_DECLINED,
    VERB_WITHDRAWN,
    notify_users,
)
from matching.mediation.common import NOTE_MAX_LENGTH
from matching.models import DeclineReason, MatchRequest, MatchRequestMessage, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


#: What a decision changes, copied back onto the caller's instance (`copy_locked_fields`).
DECIDED_FIELDS = (
    "status",
    "decline_reason",
    "decline_text",
    "decided_by_id",
    "decided_at",
    "updated_at",
)


def _check_may_decide(match_request: MatchRequest, actor: User) -> bool:
    """Return True when a broker decides on behalf of the addressee; raise 403 for others."""
    if roles.is_member(actor, match_request.addressee_id):
        return False
    if roles.is_broker(actor):
        return True
    raise PermissionDeniedError(
        _("Only members of the addressed organisation can accept or decline this request.")
    )


def _note_on_behalf(match_request: MatchRequest, actor: User, kind: str) -> None:
    """Record in the thread that a broker acted for the addressee (`thread_lines`)."""
    body = thread_lines.bilingual(kind, match_request.addressee)
    MatchRequestMessage.objects.create(match_request=match_request, author=actor, body=body)


def _save_decision(locked: MatchRequest, actor: User, status: str, *extra_fields: str) -> None:
    """Set the new status and who decided when, and save those fields (plus `extra_fields`)."""
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", *extra_fields, "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def match_request_accept(
    *, match_request: MatchRequest, actor: User, note: str = ""
) -> MatchRequest:
    """Accept an open request: reveals contact details to both sides and opens the thread.

    Members of the addressee may accept; brokers may accept on their behalf (noted in the
    thread, and the addressee is notified too). A broker's `note` (checked by the caller) is
    their message to the requester: posted in the thread after that line and quoted in the
    requester's notification. Raises PermissionDeniedError (403) for anyone else,
    ConflictError (409) when the request is not open.
    """
    locked = lock_row(match_request, related=SHOWN_WITH)
    on_behalf = _check_may_decide(locked, actor)
    require_open(locked)
    _save_decision(locked, actor, MatchRequestStatus.ACCEPTED)
    addressee = locked.addressee
    title = locked.research_result.title
    if on_behalf:
        _note_on_behalf(locked, actor, thread_lines.ACCEPTED)
        if note:
            MatchRequestMessage.objects.create(match_request=locked, author=actor, body=note)
        notify_users(
            users=organization_members(addressee, exclude=actor),
            verb=VERB_ACCEPTED,
            match_request=locked,
            params={"variant": "on_behalf", "organization": str(locked.requester),
                    "result": title},
        )
    params: dict[str, str | int] = {"organization": str(addressee), "result": title}
    if on_behalf and note:
        params.update(variant="by_broker", note=note)
    notify_users(
        users=organization_members(locked.requester, exclude=actor),
        verb=VERB_ACCEPTED,
        match_request=locked,
        params=params,
    )
    copy_locked_fields(locked, match_request, fields=DECIDED_FIELDS)
    return match_request


@transaction.atomic
def match_request_decline(
    *, match_request: MatchRequest, actor: User, reason: str, text: str = ""
) -> MatchRequest:
    """Decline an open request with a `DeclineReason` code and an explanation.

    `text` is required when `reason` is OTHER. Who may decline: as `match_request_accept`.
    Raises DomainError (400, per field: unknown reason, missing text), PermissionDeniedError
    (403), ConflictError (409: not open).
    """
    locked = lock_row(match_request, related=SHOWN_WITH)
    on_behalf = _check_may_decide(locked, actor)
    if reason not in DeclineReason.values:
        raise field_error(
            "reason", _("“%(value)s” is not a valid decline reason.") % {"value": reason}
        )
    explanation = clean_text(text, field="text", required=reason == DeclineReason.OTHER,
                             max_length=NOTE_MAX_LENGTH)
    require_open(locked)
    locked.decline_reason = reason
    locked.decline_text = explanation
    _save_decision(locked, actor, MatchRequestStatus.DECLINED, "decline_reason", "decline_text")
    _notify_declined(locked, actor, on_behalf=on_behalf)
    copy_locked_fields(locked, match_request, fields=DECIDED_FIELDS)
    return match_request


def _notify_declined(locked: MatchRequest, actor: User, *, on_behalf: bool) -> None:
    """Tell the requester (and, when a broker declined, the addressee) with the reason."""
    addressee = locked.addressee
    params = {
        "result": locked.research_result.title,
        # The label's source text; the notification translates it when shown.
        "reason": str(_untranslated_label(DeclineReason(locked.decline_reason))),
    }
    if on_behalf:
        _note_on_behalf(locked, actor, thread_lines.DECLINED)
        notify_users(
            users=organization_members(addressee, exclude=actor),
            verb=VERB_DECLINED,
            match_request=locked,
            params={**params, "variant": "on_behalf", "organization": str(locked.requester)},
        )
    notify_users(
        users=organization_members(locked.requester, exclude=actor),
        verb=VERB_DECLINED,
        match_request=locked,
        params={**params, "organization": str(addressee)},
    )


def _untranslated_label(reason: DeclineReason) -> str:
    """The reason's label in the source language (its gettext msgid)."""
    with translation.override(None):
        return str(reason.label)


@transaction.atomic
def match_request_withdraw(*, match_request: MatchRequest, actor: User) -> MatchRequest:
    """Withdraw an open request. Only members of the requesting organisation may withdraw.

    Raises PermissionDeniedError (403) for anyone else, ConflictError (409) when not open.
    """
    locked = lock_row(match_request, related=SHOWN_WITH)
    if not roles.is_member(actor, locked.requester_id):
        raise PermissionDeniedError(
            _("Only members of the requesting organisation can withdraw this request.")
        )
    require_open(locked)
    _save_decision(locked, actor, MatchRequestStatus.WITHDRAWN)
    notify_users(
        users=organization_members(locked.addressee, exclude=actor),
        verb=VERB_WITHDRAWN,
        match_request=locked,
        params={"organization": str(locked.requester), "result": locked.research_result.title},
    )
    copy_locked_fields(locked, match_request, fields=DECIDED_FIELDS)
    return match_request
