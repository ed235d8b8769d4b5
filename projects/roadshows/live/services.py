"""A roadshow while it runs: live control by host staff (go live, move through the agenda, open
and close questions, end, cancel) and what the audience does (questions, asked and upvoted by
confirmed attendees and host staff, hidden and answered by host staff; intents, 意向 "I'm
interested", from confirmed attendees).

Every change the audience sees bumps the live version in the same transaction
(`projects.roadshows.live.version`), under the roadshow's row lock (`kernel.locking.lock_row`).
Errors as in `projects.roadshows.services`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, DomainError, PermissionDeniedError, field_error
from kernel.locking import copy_locked_fields, lock_row
from kernel.text_keys import sameness_key
from marketplace import roles
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.models import Intent, Question, QuestionVote, Registration, Roadshow, RoadshowSlot
from projects.permissions import is_confirmed_attendee, may_follow_live, require_host_staff
from projects.registrations.services import registration_cancel
from projects.roadshows.live.selectors import slot_card
from projects.roadshows.live.version import bump_live_version
from projects.roadshows.selectors import roadshow_slots

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

RS = RoadshowStatus
REG = RegistrationStatus
QUESTION_MAX_CHARS = 500
ANSWER_MAX_CHARS = 2000


def _agenda_slot(roadshow: Roadshow, slot: RoadshowSlot | None) -> RoadshowSlot:
    """`slot`, which must be on the agenda of the locked `roadshow` (400 on ``slot``
    otherwise), or, for None, the slot now presenting (409 when none is)."""
    if slot is None:
        if roadshow.current_slot_id is None:
            raise ConflictError(_("No project is presenting yet."))
        return RoadshowSlot.objects.get(pk=roadshow.current_slot_id)
    if slot.roadshow_id != roadshow.pk:
        raise field_error("slot", _("This slot is not on the agenda of this roadshow."))
    return slot


# --- live control -----------------------------------------------------------------------------


@transaction.atomic
def roadshow_go_live(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """scheduled → live (host staff), presenting the first slot unless one was chosen.
    Raises 409 from any other status, 400 for an empty agenda."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.SCHEDULED:
        raise ConflictError(_("Only a scheduled roadshow can go live."))
    first = roadshow_slots(roadshow=locked).first()
    if first is None:
        raise DomainError(_("Add at least one project to the agenda first."), code="empty_agenda")
    locked.status = RS.LIVE
    locked.went_live_at = timezone.now()
    if locked.current_slot_id is None:
        locked.current_slot = first
    locked.save(update_fields=["status", "went_live_at", "current_slot", "updated_at"])
    bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


def _target_slot(roadshow: Roadshow, to: str | int) -> RoadshowSlot:
    slots = list(roadshow_slots(roadshow=roadshow))
    ids = [s.pk for s in slots]
    position = ids.index(roadshow.current_slot_id) if roadshow.current_slot_id in ids else None
    if to == "next":
        if position is None:
            return slots[0]
        if position + 1 >= len(slots):
            raise ConflictError(_("This is the last project of the agenda."))
        return slots[position + 1]
    if to == "previous":
        if position is None:
            raise ConflictError(_("No project is presenting yet."))
        if position == 0:
            raise ConflictError(_("This is the first project of the agenda."))
        return slots[position - 1]
    if isinstance(to, int) and not isinstance(to, bool) and to in ids:
        return slots[ids.index(to)]
    raise field_error("to", _('Give "next", "previous" or the id of a slot of this agenda.'))


@transaction.atomic
def roadshow_advance(*, roadshow: Roadshow, actor: User, to: str | int) -> Roadshow:
    """Change the project now presenting (host staff, roadshow live, else 409):
    ``"next"`` (the first slot when none is presenting), ``"previous"``, or a slot id of this
    agenda (jump). At the ends of the agenda ``"next"``/``"previous"`` are refused with 409
    and nothing changes; jumping to the slot already presenting changes nothing (no version
    bump). An id not on this agenda is 400 on ``to``."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("The roadshow is not live."))
    target = _target_slot(locked, to)
    if target.pk != locked.current_slot_id:
        locked.current_slot = target
        locked.save(update_fields=["current_slot", "updated_at"])
        bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


@transaction.atomic
def roadshow_questions_set(
    *, roadshow: Roadshow, actor: User, open: bool, slot: RoadshowSlot | None = None
) -> RoadshowSlot:
    """Open or close questions for `slot` (default: the slot now presenting; 409 when none).
    Host staff only. Bumps the live version when the flag changes."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status in (RS.ENDED, RS.CANCELLED):
        raise ConflictError(_("The roadshow is over."))
    slot = _agenda_slot(locked, slot)
    if slot.questions_open != open:
        slot.questions_open = open
        slot.save(update_fields=["questions_open"])
        bump_live_version(locked)
    return slot


@transaction.atomic
def roadshow_end(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """live → ended (host staff; 409 otherwise): nothing presents any more and all questions
    close."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("Only a live roadshow can end."))
    locked.status = RS.ENDED
    locked.last_presented_slot = locked.current_slot
    locked.current_slot = None
    locked.save(update_fields=["status", "current_slot", "last_presented_slot", "updated_at"])
    RoadshowSlot.objects.filter(roadshow=locked).update(questions_open=False)
    bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


def roadshow_cancel(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """scheduled → cancelled (host staff; 409 otherwise); every ticket is cancelled, paid ones
    refunded in full. Refund failures are logged and leave that ticket for staff to retry
    with `registration_cancel`."""
    require_host_staff(user=actor, roadshow=roadshow)
    with transaction.atomic():
        locked = lock_row(roadshow)
        if locked.status != RS.SCHEDULED:
            raise ConflictError(_("Only a scheduled roadshow can be cancelled."))
        locked.status = RS.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        bump_live_version(locked)
        copy_locked_fields(locked, roadshow)
    for registration in Registration.objects.filter(
        roadshow=roadshow, status__in=[REG.PENDING_PAYMENT, REG.CONFIRMED]
    ):
        try:
            registration_cancel(registration=registration, actor=actor)
        except DomainError:
            logger.exception("Could not cancel registration %s", registration.pk)
    return roadshow


# --- questions --------------------------------------------------------------------------------


def _require_follower(*, actor: User, roadshow: Roadshow) -> None:
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Log in to take part in the roadshow."))
    if not may_follow_live(roadshow=roadshow, user=actor):
        raise PermissionDeniedError(_("Only registered attendees can take part in the roadshow."))


def _clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = " ".join((value or "").split()) if field == "text" else (value or "").strip()
    if required and not text:
        raise field_error(field, _("This field may not be blank."))
    if len(text) > limit:
        raise field_error(
            field, _("Use at most %(limit)d characters.") % {"limit": limit}
        )
    return text


def question_key(text: str) -> str:
    """How questions compare for sameness (`kernel.text_keys.sameness_key`)."""
    return sameness_key(text)


def _refuse_repeated_question(*, slot: RoadshowSlot, actor: User, text: str) -> None:
    """409 when `actor` already asked `text` (compared by `question_key`, hidden questions
    included) about `slot`. Called under the roadshow's row lock, which serialises concurrent
    asks (SELECT ... FOR UPDATE on PostgreSQL, IMMEDIATE transactions on SQLite)."""
    key = question_key(text)
    asked = Question.objects.filter(slot=slot, author=actor).values_list("text", flat=True)
    if any(question_key(earlier) == key for earlier in asked):
        raise ConflictError(
            _("You have already asked this question."), code="duplicate_question"
        )


@transaction.atomic
def question_ask(
    *, roadshow: Roadshow, actor: User, text: str, slot: RoadshowSlot | None = None
) -> Question:
    """Ask a question about `slot` (default: the slot now presenting). Confirmed attendees
    and host staff (403 otherwise); the roadshow must be live and the slot's questions open
    (409). `text`: 1–500 characters after collapsing white space (400). The same question
    from the same person about the same slot (`question_key`) is refused with 409
    ``duplicate_question``."""
    _require_follower(actor=actor, roadshow=roadshow)
    clean = _clean_text(text, field="text", limit=QUESTION_MAX_CHARS)
    locked = lock_row(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("The roadshow is not live."))
    slot = _agenda_slot(locked, slot)
    if not slot.questions_open:
        raise ConflictError(_("Questions are closed for this project."), code="questions_closed")
    _refuse_repeated_question(slot=slot, actor=actor, text=clean)
    question = Question.objects.create(slot=slot, author=actor, text=clean)
    bump_live_version(locked)
    return question


def question_upvote(*, question: Question, actor: User) -> tuple[int, bool]:
    """Upvote `question` once (confirmed attendees and host staff). Returns (votes, created);
    a repeated upvote changes nothing. 409 for a hidden question or when the roadshow is not
    live."""
    roadshow = question.slot.roadshow
    _require_follower(actor=actor, roadshow=roadshow)
    with transaction.atomic():
        locked = lock_row(roadshow)
        if locked.status != RS.LIVE:
            raise ConflictError(_("The roadshow is not live."))
        if Question.objects.filter(pk=question.pk, hidden=True).exists():
            raise ConflictError(_("This question is hidden."))
        try:
            with transaction.atomic():
                _vote, created = QuestionVote.objects.get_or_create(question=question, user=actor)
        except IntegrityError:
            created = False
        if created:
            bump_live_version(locked)
        return QuestionVote.objects.filter(question=question).count(), created


@transaction.atomic
def question_hide(*, question: Question, actor: User, hidden: bool = True) -> Question:
    """Hide (or show again) a question (host staff)."""
    roadshow = question.slot.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if question.hidden != hidden:
        question.hidden = hidden
        question.save(update_fields=["hidden"])
        bump_live_version(locked)
    return question


@transaction.atomic
def question_answer(*, question: Question, actor: User, answer: str = "") -> Question:
    """Mark a question answered, with an optional written answer (≤ 2000 characters; blank
    means answered on stage). Host staff only."""
    roadshow = question.slot.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    text = _clean_text(answer, field="answer", limit=ANSWER_MAX_CHARS, required=False)
    locked = lock_row(roadshow)
    question.answered = True
    question.answer = text
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answered", "answer", "answered_by", "answered_at"])
    bump_live_version(locked)
    return question


# --- intents ----------------------------------------------------------------------------------


def intent_record(
    *, roadshow: Roadshow, actor: User, slot: RoadshowSlot | None = None
) -> tuple[Intent, bool]:
    """意向: record that `actor` is interested in `slot` (default: the slot now presenting;
    409 when none). Confirmed attendees only (403). Once per user and slot: a repeat returns
    the existing intent with created False. 409 for a cancelled roadshow."""
    if not actor.is_authenticated or not is_confirmed_attendee(
        roadshow=roadshow, user=actor
    ):
        raise PermissionDeniedError(_("Only registered attendees can express interest."))
    if roadshow.status == RS.CANCELLED:
        raise ConflictError(_("This roadshow was cancelled."))
    if slot is None:
        current = Roadshow.objects.values_list("current_slot_id", flat=True).get(pk=roadshow.pk)
        if current is None:
            raise ConflictError(_("No project is presenting yet."))
        slot = RoadshowSlot.objects.get(pk=current)
    elif slot.roadshow_id != roadshow.pk:
        raise field_error("slot", _("This slot is not on the agenda of this roadshow."))
    try:
        with transaction.atomic():
            intent, created = Intent.objects.get_or_create(
                user=actor,
                slot=slot,
                defaults={
                    "roadshow": roadshow,
                    "organization": roles.primary_organization(actor),
                },
            )
    except IntegrityError:
        intent, created = Intent.objects.get(user=actor, slot=slot), False
    return intent, created


def intent_match_request_draft(*, intent: Intent) -> dict[str, Any]:
    """The pre-filled match request an intent offers (in the current language)::

        {"method": "POST", "url": "/api/v1/match-requests/",
         "payload": {"research_result": id | null, "technology_need": id | null,
                     "message": str},
         "listing": {"type": "result"|"need", "id", "title", "url"}}

    For a research result the payload can be posted as is (the requester is the user's
    organisation). For a technology need the user picks one of their research results first
    (`research_result` is null) — matching proposes results to needs.
    """
    slot = intent.slot
    listing = slot.listing
    message = gettext(
        "We saw “%(title)s” presented at %(roadshow)s and are interested. "
        "Please introduce us."
    ) % {"title": listing.title, "roadshow": slot.roadshow.title}
    try:
        url = reverse("api-match-request-list")
    except NoReverseMatch:
        url = "/api/v1/match-requests/"
    card = slot_card(slot)["listing"]
    return {
        "method": "POST",
        "url": url,
        "payload": {
            "research_result": slot.research_result_id,
            "technology_need": slot.technology_need_id,
            "message": message,
        },
        "listing": {k: card[k] for k in ("type", "id", "title", "url")},
    }


__all__ = [
    "ANSWER_MAX_CHARS",
    "QUESTION_MAX_CHARS",
    "intent_match_request_draft",
    "intent_record",
    "question_answer",
    "question_ask",
    "question_hide",
    "question_key",
    "question_upvote",
    "roadshow_advance",
    "roadshow_cancel",
    "roadshow_end",
    "roadshow_go_live",
    "roadshow_questions_set",
]
