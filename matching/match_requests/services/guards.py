"""What the match-request services (creation, decisions, messages) check before they write:
the length and presence of a text (`clean_text`, `MESSAGE_MAX_LENGTH`), that a request is
still open (`require_open`), and what a locked request is read with (`SHOWN_WITH`).

Nothing here checks who may act; each service does that for its own verb.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kernel.errors import ConflictError, DomainError
from matching.models import MatchRequest, MatchRequestStatus

#: Longest message or thread post (characters); a decline explanation follows
#: `matching.mediation.common.NOTE_MAX_LENGTH`.
MESSAGE_MAX_LENGTH = 5000

#: What a locked request is read with (`lock_row(match_request, related=SHOWN_WITH)`): the
#: organisations and listings its notifications and pages name.
SHOWN_WITH = ("requester", "addressee", "research_result", "technology_need")


def clean_text(
    value: str | None, *, field: str, required: bool = True,
    max_length: int = MESSAGE_MAX_LENGTH,
) -> str:
    """`value` stripped. Raises DomainError (400 on `field`) when it is blank but `required`,
    or longer than `max_length` characters."""
    text = (value or "").strip()
    if required and not text:
        raise DomainError(
            _("This field may not be blank."), fields={field: [_("This field may not be blank.")]}
        )
    if len(text) > max_length:
        message = _("Ensure this field has no more than %(max)d characters.") % {
            "max": max_length
        }
        raise DomainError(message, fields={field: [message]})
    return text


def require_open(match_request: MatchRequest) -> None:
    """Raises ConflictError (409, code match_request_not_open) unless the request is OPEN."""
    if match_request.status != MatchRequestStatus.OPEN:
        raise ConflictError(
            _("This match request is no longer open (it is %(status)s).")
            % {"status": match_request.get_status_display()},
            code="match_request_not_open",
        )
