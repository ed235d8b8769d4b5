"""Creating match requests (对接): ask for an introduction to a result's owner
(`match_request_create`), propose a result to a need (`match_request_propose`), or let the
actor's memberships pick between the two (`match_request_submit`, the API's entry point).

Rules are in the package docstring (`matching.match_requests.services`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, PermissionDeniedError, field_error
from kernel.locking import lock_row
from marketplace import roles
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from marketplace.selectors import organization_members
from matching.match_requests.services.guards import clean_text
from matching.match_requests.services.mediation import mediate_if_unreachable
from matching.match_requests.services.notifying import VERB_CREATED, notify_users
from matching.models import MatchRequest, MatchRequestDirection, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _require_searchable(listing: ResearchResult | TechnologyNeed, *, field: str) -> None:
    if not listing.is_searchable():
        if isinstance(listing, ResearchResult):
            message = _("This research result is not available for match requests.")
        else:
            message = _("This technology need is not available for match requests.")
        raise field_error(field, message)


def _insert(**values: Any) -> MatchRequest:
    """Insert a request; the one-open-per-pair constraint turns a race into a 409."""
    try:
        with transaction.atomic():
            return MatchRequest.objects.create(**values)
    except IntegrityError as exc:
        raise ConflictError(
            _("An open match request for this listing already exists."),
            code="match_request_exists",
        ) from exc


def _refuse_duplicate(
    *, requester: Organization, research_result: ResearchResult, need: TechnologyNeed | None
) -> None:
    # Lock the result row so that two concurrent requests for it queue up here.
    lock_row(research_result)
    if MatchRequest.objects.filter(
        requester=requester,
        research_result=research_result,
        technology_need=need,
        status=MatchRequestStatus.OPEN,
    ).exists():
        raise ConflictError(
            _("An open match request for this listing already exists."),
            code="match_request_exists",
        )


def _open(
    *,
    actor: User,
    direction: str,
    research_result: ResearchResult,
    technology_need: TechnologyNeed | None,
    requester: Organization,
    addressee: Organization,
    message: str,
    score: float | None,
) -> MatchRequest:
    """Refuse a second open request for the pair (409), insert this one and notify the
    addressee's members, or, when it has none, send it to the brokers' queue (call inside
    `transaction.atomic`, after the checks)."""
    _refuse_duplicate(requester=requester, research_result=research_result, need=technology_need)
    match_request = _insert(
        direction=direction,
        research_result=research_result,
        technology_need=technology_need,
        requester=requester,
        addressee=addressee,
        created_by=actor,
        message=message,
        score=score,
    )
    mediate_if_unreachable(match_request)
    _notify_created(match_request, actor)
    return match_request


class RequestContent(TypedDict):
    """What a new request names, the keyword arguments of `match_request_create` and
    `match_request_submit`: the research result, the message, optionally a technology need,
    and the match score (0..1) shown to the actor, kept for brokers' reports."""

    research_result: ResearchResult
    message: str
    technology_need: NotRequired[TechnologyNeed | None]
    score: NotRequired[float | None]


@transaction.atomic
def match_request_create(*, actor: User, **content: Unpack[RequestContent]) -> MatchRequest:
    """Ask to be introduced to the owner of `research_result` (direction NEED_TO_RESULT).

    The requester is the owner of `technology_need` when one is given (the actor must be a
    member of it), else the actor's primary organisation. The addressee is the result's owner.

    Raises DomainError (400: blank message; listing not published; own organisation's
    result; a need of another organisation), PermissionDeniedError (403: the actor belongs to
    no organisation; it is not verified yet, code ``organization_unverified``),
    ConflictError (409: an open request for the same pair exists).
    """
    research_result = content["research_result"]
    technology_need = content.get("technology_need")
    text = clean_text(content["message"], field="message")
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Log in to request an introduction."))
    _require_searchable(research_result, field="research_result")
    if technology_need is not None:
        if not roles.is_member(actor, technology_need.owner_id):
            raise field_error(
                "technology_need", _("You can only refer to your own organisation's needs.")
            )
        _require_searchable(technology_need, field="technology_need")
        requester: Organization | None = technology_need.owner
    else:
        requester = roles.primary_organization(actor)
    if requester is None:
        raise PermissionDeniedError(
            _("You must belong to an organisation to request an introduction.")
        )
    roles.require_organization_in_good_standing(actor=actor, organization=requester)
    if roles.is_member(actor, research_result.owner_id) or requester.pk == research_result.owner_id:
        raise field_error(
            "research_result", _("You cannot request your own organisation's listing.")
        )
    return _open(
        actor=actor,
        direction=MatchRequestDirection.NEED_TO_RESULT,
        research_result=research_result,
        technology_need=technology_need,
        requester=requester,
        addressee=research_result.owner,
        message=text,
        score=content.get("score"),
    )


@transaction.atomic
def match_request_propose(
    *,
    actor: User,
    research_result: ResearchResult,
    technology_need: TechnologyNeed,
    message: str,
    score: float | None = None,
) -> MatchRequest:
    """Propose `research_result` to the owner of `technology_need` (direction RESULT_TO_NEED).

    The actor must be a member of the result's owner (the requester); the need's owner is the
    addressee. Raises DomainError (400: blank message; listing not published; own
    organisation's need), PermissionDeniedError (403: not a member of the result's owner; it
    is not verified yet, code ``organization_unverified``),
    ConflictError (409: an open request for the same pair exists).
    """
    text = clean_text(message, field="message")
    if not roles.is_member(actor, research_result.owner_id):
        raise PermissionDeniedError(
            _("Only members of the result's organisation can propose it to a need.")
        )
    roles.require_organization_in_good_standing(actor=actor, organization=research_result.owner)
    _require_searchable(research_result, field="research_result")
    _require_searchable(technology_need, field="technology_need")
    if (
        roles.is_member(actor, technology_need.owner_id)
        or technology_need.owner_id == research_result.owner_id
    ):
        raise field_error(
            "technology_need", _("You cannot request your own organisation's listing.")
        )
    return _open(
        actor=actor,
        direction=MatchRequestDirection.RESULT_TO_NEED,
        research_result=research_result,
        technology_need=technology_need,
        requester=research_result.owner,
        addressee=technology_need.owner,
        message=text,
        score=score,
    )


def match_request_submit(*, actor: User, **content: Unpack[RequestContent]) -> MatchRequest:
    """Create a request in the direction the actor's memberships imply (the API's entry point).

    A member of the result's owner who names a need proposes the result to that need
    (`match_request_propose`); everyone else asks for an introduction to the result
    (`match_request_create`). Errors as those two.
    """
    research_result = content["research_result"]
    technology_need = content.get("technology_need")
    if technology_need is not None and roles.is_member(actor, research_result.owner_id):
        return match_request_propose(
            actor=actor,
            research_result=research_result,
            technology_need=technology_need,
            message=content["message"],
            score=content.get("score"),
        )
    return match_request_create(actor=actor, **content)


def _notify_created(match_request: MatchRequest, actor: User) -> None:
    params: dict[str, str | int] = {
        "organization": str(match_request.requester),
        "result": match_request.research_result.title,
    }
    need = match_request.technology_need
    if match_request.direction == MatchRequestDirection.RESULT_TO_NEED and need is not None:
        params.update(variant="proposal", need=need.title)
    notify_users(
        users=organization_members(match_request.addressee, exclude=actor),
        verb=VERB_CREATED,
        match_request=match_request,
        params=params,
    )
