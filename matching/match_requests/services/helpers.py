"""Helpers shared by the match-request services (creation, decisions, messages): text checks,
the row lock, the open-state check, and notifying an organisation's members in zh-Hans and en.

Nothing here checks who may act; each service does that for its own verb.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from marketplace.errors import ConflictError, DomainError
from marketplace.models import Organization
from marketplace.notifications import notify
from matching.models import MatchRequest, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UserModel = get_user_model()

#: Longest message, decline explanation or thread post (characters).
MESSAGE_MAX_LENGTH = 5000

# Notification verbs (Notification.verb), one per state change.
VERB_CREATED = "match_request.created"
VERB_ACCEPTED = "match_request.accepted"
VERB_DECLINED = "match_request.declined"
VERB_WITHDRAWN = "match_request.withdrawn"
VERB_MESSAGE = "match_request.message"


def in_both_languages(build: Callable[[], str]) -> tuple[str, str]:
    """Render a message in zh-Hans and in en: `(message_zh, message_en)`."""
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


def field_error(field: str, message: str | Promise) -> DomainError:
    """A 400 error carrying `message` on `field` (and as the overall message)."""
    return DomainError(message, fields={field: [message]})


def members(organization: Organization, *, exclude: User | None = None) -> list[Any]:
    """Active users with a membership of `organization` (the actor left out)."""
    users = UserModel.objects.filter(
        memberships__organization=organization, is_active=True
    ).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def _request_url(match_request: MatchRequest) -> str:
    """The web page of a request when the site has one, else its API detail URL."""
    for name in ("match-request-detail", "api-match-request-detail"):
        try:
            return reverse(name, kwargs={"pk": match_request.pk})
        except NoReverseMatch:
            continue
    return ""


def notify_users(
    *,
    users: Iterable[Any],
    verb: str,
    match_request: MatchRequest,
    build: Callable[[], str],
) -> None:
    """Notify `users` (in-app, and by e-mail on commit) with the text `build` renders in each
    language, linking to the request. Does nothing when there is nobody to notify."""
    recipients = list(users)
    if not recipients:
        return
    message_zh, message_en = in_both_languages(build)
    notify(
        users=recipients,
        verb=verb,
        message_zh=message_zh,
        message_en=message_en,
        url=_request_url(match_request),
    )


def lock(match_request: MatchRequest) -> MatchRequest:
    """Re-read the request under a row lock (call inside `transaction.atomic`).

    Only the request's own row is locked (`of=("self",)`): the joined rows are read for display,
    and PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the need.
    """
    return (
        MatchRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "addressee", "research_result", "technology_need")
        .get(pk=match_request.pk)
    )


def require_open(match_request: MatchRequest) -> None:
    """Raises ConflictError (409, code match_request_not_open) unless the request is OPEN."""
    if match_request.status != MatchRequestStatus.OPEN:
        raise ConflictError(
            _("This match request is no longer open (it is %(status)s).")
            % {"status": match_request.get_status_display()},
            code="match_request_not_open",
        )
