"""Helpers shared by the match-request services (creation, decisions, messages): text checks,
the row lock, the open-state check, notifying users about a request, and rendering a thread
note in zh-Hans and en.

Nothing here checks who may act; each service does that for its own verb.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, DomainError
from marketplace.notification_verbs import Params
from marketplace.notifications import notify
from matching.models import MatchRequest, MatchRequestStatus

#: Longest message, decline explanation or thread post (characters).
MESSAGE_MAX_LENGTH = 5000

#: What a locked request is read with (`lock_row(match_request, related=SHOWN_WITH)`): the
#: organisations and listings its notifications and pages name.
SHOWN_WITH = ("requester", "addressee", "research_result", "technology_need")

# Notification verbs (marketplace.notification_verbs), one per state change.
VERB_CREATED = "match_request.created"
VERB_ACCEPTED = "match_request.accepted"
VERB_DECLINED = "match_request.declined"
VERB_WITHDRAWN = "match_request.withdrawn"
VERB_MESSAGE = "match_request.message"


def in_both_languages(build: Callable[[], str]) -> tuple[str, str]:
    """Render a text in zh-Hans and in en: `(text_zh, text_en)` (a thread note, which is
    stored text, not a notification)."""
    with translation.override("zh-hans"):
        zh = str(build())
    with translation.override("en"):
        en = str(build())
    return zh, en


def clean_text(value: str | None, *, field: str, required: bool = True) -> str:
    """`value` stripped. Raises DomainError (400 on `field`) when it is blank but `required`,
    or longer than `MESSAGE_MAX_LENGTH` characters."""
    text = (value or "").strip()
    if required and not text:
        raise DomainError(
            _("This field may not be blank."), fields={field: [_("This field may not be blank.")]}
        )
    if len(text) > MESSAGE_MAX_LENGTH:
        message = _("Ensure this field has no more than %(max)d characters.") % {
            "max": MESSAGE_MAX_LENGTH
        }
        raise DomainError(message, fields={field: [message]})
    return text




def notify_users(
    *,
    users: Iterable[Any],
    verb: str,
    match_request: MatchRequest,
    params: Params,
) -> None:
    """Notify `users` (in-app, and by e-mail on commit) with `verb` of
    `marketplace.notification_verbs` and its `params`, linking to the request. Does nothing
    when there is nobody to notify."""
    recipients = list(users)
    if recipients:
        notify(
            users=recipients,
            verb=verb,
            params={**params, "match_request": match_request.pk},
        )


def require_open(match_request: MatchRequest) -> None:
    """Raises ConflictError (409, code match_request_not_open) unless the request is OPEN."""
    if match_request.status != MatchRequestStatus.OPEN:
        raise ConflictError(
            _("This match request is no longer open (it is %(status)s).")
            % {"status": match_request.get_status_display()},
            code="match_request_not_open",
        )
