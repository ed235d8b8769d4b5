"""The message thread of a match request: members of both organisations write once it is
accepted, brokers at any time. Rules are in the package docstring
(`matching.match_requests.services`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, PermissionDeniedError
from kernel.locking import lock_row
from marketplace import roles
from marketplace.selectors import organization_members
from matching.match_requests.selectors import is_party
from matching.match_requests.services.guards import SHOWN_WITH, clean_text
from matching.match_requests.services.notifying import VERB_MESSAGE, notify_users
from matching.models import MatchRequest, MatchRequestMessage, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def match_request_message_post(
    *, match_request: MatchRequest, actor: User, body: str
) -> MatchRequestMessage:
    """Post a message to the request's thread and notify the other side.

    Members of either organisation may write once the request is accepted; brokers may write
    at any time. Members of the author's organisation are not notified; a broker's message
    notifies both sides. Raises DomainError (400: blank body), PermissionDeniedError (403:
    not a party or broker), ConflictError (409: a party writing before acceptance).
    """
    text = clean_text(body, field="body")
    locked = lock_row(match_request, related=SHOWN_WITH)
    broker = roles.is_broker(actor)
    party = is_party(actor, locked)
    if not (party or broker):
        raise PermissionDeniedError(
            _("Only the two organisations and brokers can write in this thread.")
        )
    if not broker and locked.status != MatchRequestStatus.ACCEPTED:
        raise ConflictError(
            _("The message thread opens when the request is accepted."),
            code="thread_not_open",
        )
    message = MatchRequestMessage.objects.create(match_request=locked, author=actor, body=text)
    recipients: dict[int, Any] = {}
    for organization in (locked.requester, locked.addressee):
        if not roles.is_member(actor, organization.pk):
            for user in organization_members(organization, exclude=actor):
                recipients[user.pk] = user
    notify_users(
        users=recipients.values(),
        verb=VERB_MESSAGE,
        match_request=locked,
        params={"result": locked.research_result.title},
    )
    return message
