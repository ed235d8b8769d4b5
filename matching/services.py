"""Match-request services (对接): create, propose, accept, decline, withdraw, and the message
thread that acceptance opens.

Rules (issue 6):

- An organisation member asks to be introduced to the owner of a published research result,
  optionally in the context of one of their organisation's published technology needs
  (`match_request_create`, direction NEED_TO_RESULT). A member of a result's owner may propose
  that result to a published need (`match_request_propose`, direction RESULT_TO_NEED).
  `match_request_submit` picks one of the two from the actor's memberships (used by the API).
- Only searchable listings (published, not expired) take part; nobody can request their own
  organisation's listing (400).
- At most one OPEN request per (requester organisation, result, need-or-none): checked under a
  row lock, and backed by the `match_request_one_open_per_pair` constraint (409 either way).
- Members of the addressed organisation accept or decline (with a `DeclineReason`; a text is
  required for OTHER). Brokers (技术经纪人) may accept or decline on behalf of the addressee;
  the thread then records a note saying so and both sides are notified. Members of the
  requesting organisation may withdraw an open request. Deciding a request that is no longer
  open is a conflict (409).
- Acceptance reveals both organisations' contact details to each other (see
  `matching.selectors.visible_contact_sides`) and opens the message thread, where members of
  both organisations and brokers may write (brokers also before acceptance).
- Every state change and every message notifies the other side's members in-app and by e-mail
  (`marketplace.notifications.notify`, e-mail sent on commit), in zh-Hans and en.

Errors: `DomainError` (400, with per-field messages), `PermissionDeniedError` (403),
`ConflictError` (409). All writes happen inside `transaction.atomic`; nothing is half-written.
Callers load the request with `matching.selectors.match_request_get` before acting on it, so a
viewer who cannot see it (not a party, not a broker) gets 404 as for reads; the 403 here is for
visible requests acted on out of turn (e.g. the requester accepting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from marketplace import roles
from marketplace.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from marketplace.notifications import notify
from matching.models import (
    DeclineReason,
    MatchRequest,
    MatchRequestDirection,
    MatchRequestMessage,
    MatchRequestStatus,
)
from matching.selectors import is_party

if TYPE_CHECKING:
    from django.contrib.auth.models import User

UserModel = get_user_model()

MESSAGE_MAX_LENGTH = 5000

# Notification verbs (Notification.verb), one per state change.
VERB_CREATED = "match_request.created"
VERB_ACCEPTED = "match_request.accepted"
VERB_DECLINED = "match_request.declined"
VERB_WITHDRAWN = "match_request.withdrawn"
VERB_MESSAGE = "match_request.message"


# --- helpers -------------------------------------------------------------------------------


def _in_both_languages(build: Callable[[], str]) -> tuple[str, str]:
    """Render a message in zh-Hans and in en: `(message_zh, message_en)`."""
    with translation.override("zh-hans"):
        zh = str(build())
    with translation.override("en"):
        en = str(build())
    return zh, en


def _clean_text(value: str | None, *, field: str, required: bool = True) -> str:
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


def _field_error(field: str, message: str | Promise) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _require_searchable(listing: ResearchResult | TechnologyNeed, *, field: str) -> None:
    if not listing.is_searchable():
        if isinstance(listing, ResearchResult):
            message = _("This research result is not available for match requests.")
        else:
            message = _("This technology need is not available for match requests.")
        raise _field_error(field, message)


def _members(organization: Organization, *, exclude: User | None = None) -> list[Any]:
    """Active users with a membership of `organization` (the actor left out)."""
    users = UserModel.objects.filter(
        memberships__organization=organization, is_active=True
    ).distinct()
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def _request_url(request: MatchRequest) -> str:
    """The web page of a request when the site has one, else its API detail URL."""
    for name in ("match-request-detail", "api-match-request-detail"):
        try:
            return reverse(name, kwargs={"pk": request.pk})
        except NoReverseMatch:
            continue
    return ""


def _notify(
    *,
    users: Iterable[Any],
    verb: str,
    request: MatchRequest,
    build: Callable[[], str],
) -> None:
    recipients = list(users)
    if not recipients:
        return
    message_zh, message_en = _in_both_languages(build)
    notify(
        users=recipients,
        verb=verb,
        message_zh=message_zh,
        message_en=message_en,
        url=_request_url(request),
    )


def _lock(request: MatchRequest) -> MatchRequest:
    """Re-read the request under a row lock (call inside `transaction.atomic`).

    Only the request's own row is locked (`of=("self",)`): the joined rows are read for display,
    and PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the need.
    """
    return (
        MatchRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "addressee", "research_result", "technology_need")
        .get(pk=request.pk)
    )


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
    ResearchResult.objects.select_for_update().filter(pk=research_result.pk).exists()
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


def _require_open(request: MatchRequest) -> None:
    if request.status != MatchRequestStatus.OPEN:
        raise ConflictError(
            _("This match request is no longer open (it is %(status)s).")
            % {"status": request.get_status_display()},
            code="match_request_not_open",
        )


# --- creating ------------------------------------------------------------------------------


@transaction.atomic
def match_request_create(
    *,
    actor: User,
    research_result: ResearchResult,
    message: str,
    technology_need: TechnologyNeed | None = None,
    score: float | None = None,
) -> MatchRequest:
    """Ask to be introduced to the owner of `research_result` (direction NEED_TO_RESULT).

    The requester is the owner of `technology_need` when one is given (the actor must be a
    member of it), else the actor's primary organisation. The addressee is the result's owner.
    `score` is the match score (0..1) shown to the actor, kept for brokers' reports.

    Raises DomainError (400: blank message; listing not published; own organisation's
    result; a need of another organisation), PermissionDeniedError (403: the actor belongs to
    no organisation), ConflictError (409: an open request for the same pair exists).
    """
    text = _clean_text(message, field="message")
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Log in to request an introduction."))
    _require_searchable(research_result, field="research_result")
    if technology_need is not None:
        if not roles.is_member(actor, technology_need.owner_id):
            raise _field_error(
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
    if roles.is_member(actor, research_result.owner_id) or requester.pk == research_result.owner_id:
        raise _field_error(
            "research_result", _("You cannot request your own organisation's listing.")
        )
    _refuse_duplicate(requester=requester, research_result=research_result, need=technology_need)
    request = _insert(
        direction=MatchRequestDirection.NEED_TO_RESULT,
        research_result=research_result,
        technology_need=technology_need,
        requester=requester,
        addressee=research_result.owner,
        created_by=actor,
        message=text,
        score=score,
    )
    _notify_created(request, actor)
    return request


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
    organisation's need), PermissionDeniedError (403: not a member of the result's owner),
    ConflictError (409: an open request for the same pair exists).
    """
    text = _clean_text(message, field="message")
    if not roles.is_member(actor, research_result.owner_id):
        raise PermissionDeniedError(
            _("Only members of the result's organisation can propose it to a need.")
        )
    _require_searchable(research_result, field="research_result")
    _require_searchable(technology_need, field="technology_need")
    if (
        roles.is_member(actor, technology_need.owner_id)
        or technology_need.owner_id == research_result.owner_id
    ):
        raise _field_error(
            "technology_need", _("You cannot request your own organisation's listing.")
        )
    requester = research_result.owner
    _refuse_duplicate(requester=requester, research_result=research_result, need=technology_need)
    request = _insert(
        direction=MatchRequestDirection.RESULT_TO_NEED,
        research_result=research_result,
        technology_need=technology_need,
        requester=requester,
        addressee=technology_need.owner,
        created_by=actor,
        message=text,
        score=score,
    )
    _notify_created(request, actor)
    return request


def match_request_submit(
    *,
    actor: User,
    research_result: ResearchResult,
    message: str,
    technology_need: TechnologyNeed | None = None,
    score: float | None = None,
) -> MatchRequest:
    """Create a request in the direction the actor's memberships imply (the API's entry point).

    A member of the result's owner who names a need proposes the result to that need
    (`match_request_propose`); everyone else asks for an introduction to the result
    (`match_request_create`). Errors as those two.
    """
    if technology_need is not None and roles.is_member(actor, research_result.owner_id):
        return match_request_propose(
            actor=actor,
            research_result=research_result,
            technology_need=technology_need,
            message=message,
            score=score,
        )
    return match_request_create(
        actor=actor,
        research_result=research_result,
        technology_need=technology_need,
        message=message,
        score=score,
    )


def _notify_created(request: MatchRequest, actor: User) -> None:
    requester = request.requester
    result_title = request.research_result.title
    need = request.technology_need

    def build() -> str:
        if request.direction == MatchRequestDirection.RESULT_TO_NEED and need is not None:
            return _(
                "%(organization)s proposes the research result “%(result)s” for your "
                "technology need “%(need)s”."
            ) % {"organization": requester, "result": result_title, "need": need.title}
        return _(
            "%(organization)s asks to be introduced about your research result “%(result)s”."
        ) % {"organization": requester, "result": result_title}

    _notify(
        users=_members(request.addressee, exclude=actor),
        verb=VERB_CREATED,
        request=request,
        build=build,
    )


# --- deciding ------------------------------------------------------------------------------


def _check_may_decide(request: MatchRequest, actor: User) -> bool:
    """Return True when a broker decides on behalf of the addressee; raise 403 for others."""
    if roles.is_member(actor, request.addressee_id):
        return False
    if roles.is_broker(actor):
        return True
    raise PermissionDeniedError(
        _("Only members of the addressed organisation can accept or decline this request.")
    )


def _note_on_behalf(request: MatchRequest, actor: User, build: Callable[[], str]) -> None:
    """Record in the thread that a broker acted for the addressee (zh-Hans and en lines)."""
    zh, en = _in_both_languages(build)
    body = zh if zh == en else f"{zh}\n{en}"
    MatchRequestMessage.objects.create(match_request=request, author=actor, body=body)


@transaction.atomic
def match_request_accept(*, request: MatchRequest, actor: User) -> MatchRequest:
    """Accept an open request: reveals contact details to both sides and opens the thread.

    Members of the addressee may accept; brokers may accept on their behalf (noted in the
    thread, and the addressee is notified too). Raises PermissionDeniedError (403) for anyone
    else, ConflictError (409) when the request is not open.
    """
    locked = _lock(request)
    on_behalf = _check_may_decide(locked, actor)
    _require_open(locked)
    locked.status = MatchRequestStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    addressee = locked.addressee
    title = locked.research_result.title
    if on_behalf:
        _note_on_behalf(
            locked,
            actor,
            lambda: (
                _("A broker accepted this request on behalf of %(organization)s.")
                % {"organization": addressee}
            ),
        )
        _notify(
            users=_members(addressee, exclude=actor),
            verb=VERB_ACCEPTED,
            request=locked,
            build=lambda: (
                _(
                    "A broker accepted the match request from %(organization)s about “%(result)s” "
                    "on your behalf. Contact details are now visible to both sides."
                )
                % {"organization": locked.requester, "result": title}
            ),
        )
    _notify(
        users=_members(locked.requester, exclude=actor),
        verb=VERB_ACCEPTED,
        request=locked,
        build=lambda: (
            _(
                "%(organization)s accepted your match request about “%(result)s”. "
                "Contact details are now visible to both sides."
            )
            % {"organization": addressee, "result": title}
        ),
    )
    _copy_state(locked, request)
    return request


@transaction.atomic
def match_request_decline(
    *, request: MatchRequest, actor: User, reason: str, text: str = ""
) -> MatchRequest:
    """Decline an open request with a `DeclineReason` code and an explanation.

    `text` is required when `reason` is OTHER. Who may decline: as `match_request_accept`.
    Raises DomainError (400, per field: unknown reason, missing text), PermissionDeniedError
    (403), ConflictError (409: not open).
    """
    locked = _lock(request)
    on_behalf = _check_may_decide(locked, actor)
    if reason not in DeclineReason.values:
        raise _field_error(
            "reason", _("“%(value)s” is not a valid decline reason.") % {"value": reason}
        )
    explanation = _clean_text(text, field="text", required=reason == DeclineReason.OTHER)
    _require_open(locked)
    locked.status = MatchRequestStatus.DECLINED
    locked.decline_reason = reason
    locked.decline_text = explanation
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "decline_reason",
            "decline_text",
            "decided_by",
            "decided_at",
            "updated_at",
        ]
    )
    addressee = locked.addressee
    title = locked.research_result.title

    def reason_label() -> str:
        return str(DeclineReason(reason).label)

    if on_behalf:
        _note_on_behalf(
            locked,
            actor,
            lambda: (
                _("A broker declined this request on behalf of %(organization)s.")
                % {"organization": addressee}
            ),
        )
        _notify(
            users=_members(addressee, exclude=actor),
            verb=VERB_DECLINED,
            request=locked,
            build=lambda: (
                _(
                    "A broker declined the match request from %(organization)s about “%(result)s” "
                    "on your behalf (reason: %(reason)s)."
                )
                % {"organization": locked.requester, "result": title, "reason": reason_label()}
            ),
        )
    _notify(
        users=_members(locked.requester, exclude=actor),
        verb=VERB_DECLINED,
        request=locked,
        build=lambda: (
            _(
                "%(organization)s declined your match request about “%(result)s” "
                "(reason: %(reason)s)."
            )
            % {"organization": addressee, "result": title, "reason": reason_label()}
        ),
    )
    _copy_state(locked, request)
    return request


@transaction.atomic
def match_request_withdraw(*, request: MatchRequest, actor: User) -> MatchRequest:
    """Withdraw an open request. Only members of the requesting organisation may withdraw.

    Raises PermissionDeniedError (403) for anyone else, ConflictError (409) when not open.
    """
    locked = _lock(request)
    if not roles.is_member(actor, locked.requester_id):
        raise PermissionDeniedError(
            _("Only members of the requesting organisation can withdraw this request.")
        )
    _require_open(locked)
    locked.status = MatchRequestStatus.WITHDRAWN
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    requester = locked.requester
    title = locked.research_result.title
    _notify(
        users=_members(locked.addressee, exclude=actor),
        verb=VERB_WITHDRAWN,
        request=locked,
        build=lambda: (
            _("%(organization)s withdrew its match request about “%(result)s”.")
            % {"organization": requester, "result": title}
        ),
    )
    _copy_state(locked, request)
    return request


def _copy_state(source: MatchRequest, target: MatchRequest) -> None:
    """Refresh the caller's instance with the saved state."""
    if source is not target:
        for name in (
            "status",
            "decline_reason",
            "decline_text",
            "decided_by_id",
            "decided_at",
            "updated_at",
        ):
            setattr(target, name, getattr(source, name))
        for cache in ("decided_by",):
            target._state.fields_cache.pop(cache, None)


# --- the thread ----------------------------------------------------------------------------


@transaction.atomic
def match_request_message_post(
    *, request: MatchRequest, actor: User, body: str
) -> MatchRequestMessage:
    """Post a message to the request's thread and notify the other side.

    Members of either organisation may write once the request is accepted; brokers may write
    at any time. Members of the author's organisation are not notified; a broker's message
    notifies both sides. Raises DomainError (400: blank body), PermissionDeniedError (403:
    not a party or broker), ConflictError (409: a party writing before acceptance).
    """
    text = _clean_text(body, field="body")
    locked = _lock(request)
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
            for user in _members(organization, exclude=actor):
                recipients[user.pk] = user
    title = locked.research_result.title
    _notify(
        users=recipients.values(),
        verb=VERB_MESSAGE,
        request=locked,
        build=lambda: _("New message in the match request about “%(result)s”.") % {"result": title},
    )
    return message
