"""Notifying users about a match request: its verbs of `marketplace.notification_verbs`, one
per state change and one per message, and `notify_users`, which the services call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marketplace.notification_verbs import Params
from marketplace.notifications import notify
from matching.models import MatchRequest

VERB_CREATED = "match_request.created"
VERB_ACCEPTED = "match_request.accepted"
VERB_DECLINED = "match_request.declined"
VERB_WITHDRAWN = "match_request.withdrawn"
VERB_MESSAGE = "match_request.message"


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
