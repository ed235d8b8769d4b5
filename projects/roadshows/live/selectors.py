"""The live state of a roadshow, for confirmed attendees and host staff
(`projects.permissions.may_follow_live`): `live_head` answers whether the viewer may follow it
and its current version in one query so the live endpoint can answer 304 without building
anything; `roadshow_live_state` builds the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse

from marketplace.choices import Role
from marketplace.models import Membership
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.models import Question, Registration, Roadshow, RoadshowSlot
from projects.permissions import HOST_STAFF_ROLES
from projects.roadshows.selectors import roadshow_slots

if TYPE_CHECKING:
    from marketplace.roles import AnyUser

#: Characters of a listing's summary in the live card.
LIVE_SUMMARY_CHARS = 160
#: Most questions the live state lists (by votes).
LIVE_QUESTION_LIMIT = 50


@dataclass(frozen=True)
class LiveHead:
    """What the live endpoint needs before building a body: the version and whether the
    viewer may read it."""

    roadshow_id: int
    live_version: int
    allowed: bool


def live_head(*, viewer: AnyUser, pk: int) -> LiveHead | None:
    """The roadshow's `live_version` and the viewer's right to follow it, in one indexed query
    (primary key lookup with EXISTS subqueries on the registration and membership indexes).
    None for an unknown roadshow, and for a draft unless the viewer is its host staff."""
    qs = Roadshow.objects.filter(pk=pk)
    if viewer.is_authenticated:
        superuser = bool(getattr(viewer, "is_superuser", False))
        qs = qs.annotate(
            attendee=Exists(
                Registration.objects.filter(
                    roadshow=OuterRef("pk"), user_id=viewer.pk, status=RegistrationStatus.CONFIRMED
                )
            ),
            staff=Exists(
                Membership.objects.filter(
                    Q(organization=OuterRef("host"), role__in=HOST_STAFF_ROLES)
                    | Q(role=Role.ADMIN),
                    user_id=viewer.pk,
                )
            ),
        )
        row = qs.values_list("pk", "live_version", "attendee", "staff", "status").first()
        if row is None:
            return None
        staff = superuser or row[3]
        if row[4] == RoadshowStatus.DRAFT and not staff:
            return None  # a draft is seen by its host staff alone: 404, as its other routes
        return LiveHead(roadshow_id=row[0], live_version=row[1], allowed=staff or row[2])
    plain = qs.values_list("pk", "live_version", "status").first()
    if plain is None or plain[2] == RoadshowStatus.DRAFT:
        return None
    return LiveHead(roadshow_id=plain[0], live_version=plain[1], allowed=False)


def live_etag(*, roadshow_id: int, live_version: int, language: str) -> str:
    """The strong ETag of a live state: ``"rs<id>-v<version>-<language>"`` (the card's field
    label is translated, so the language is part of it)."""
    return f'"rs{roadshow_id}-v{live_version}-{language}"'


def _listing_url(slot: RoadshowSlot) -> str:
    name = "result-detail" if slot.listing_type == "result" else "need-detail"
    try:
        return reverse(name, kwargs={"pk": slot.listing.pk})
    except NoReverseMatch:
        return ""


def _short(text: str, limit: int = LIVE_SUMMARY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slot_card(slot: RoadshowSlot) -> dict[str, Any]:
    """A slot as the live state shows it: ``{"id", "order", "title", "presenter", "minutes",
    "planned_start", "listing": {"type", "id", "title", "title_en", "field", "field_label",
    "trl", "owner", "summary", "url"}}``. `summary` is at most 160 characters; no
    confidential details."""
    listing = slot.listing
    return {
        "id": slot.pk,
        "order": slot.order,
        "title": listing.title,
        "presenter": slot.presenter.legal_name,
        "minutes": slot.minutes,
        "planned_start": slot.planned_start.isoformat() if slot.planned_start else None,
        "listing": {
            "type": slot.listing_type,
            "id": listing.pk,
            "title": listing.title,
            "title_en": listing.title_en,
            "field": listing.field,
            "field_label": str(listing.get_field_display()) if listing.field else "",
            "trl": listing.trl,
            "owner": listing.owner.legal_name,
            "summary": _short(listing.body),
            "url": _listing_url(slot),
        },
    }


def _live_questions(roadshow: Roadshow, current: RoadshowSlot | None) -> list[dict[str, Any]]:
    """The questions the live state lists: the current slot's while one presents; after the
    end, the questions of the whole agenda stay readable (by slot in agenda order, then
    votes); none before the start or without a presenting slot."""
    qs = Question.objects.filter(hidden=False).annotate(vote_count=Count("votes"))
    if current is not None:
        qs = qs.filter(slot=current).order_by("-vote_count", "created_at", "id")
    elif roadshow.status == RoadshowStatus.ENDED:
        qs = qs.filter(slot__roadshow=roadshow).order_by(
            "slot__order", "slot_id", "-vote_count", "created_at", "id"
        )
    else:
        return []
    return [
        {
            "id": q.pk,
            "slot": q.slot_id,
            "text": q.text,
            "votes": q.vote_count,
            "answered": q.answered,
            "answer": q.answer,
        }
        for q in qs[:LIVE_QUESTION_LIMIT]
    ]


def roadshow_live_state(*, roadshow: Roadshow) -> dict[str, Any]:
    """The live state (GET /api/v1/roadshows/{id}/live/)::

        {"status": "scheduled"|"live"|"ended"|"cancelled", "version": int,
         "current_slot": <slot_card> | null, "questions_open": bool,
         "questions": [{"id", "slot", "text", "votes", "answered", "answer"}],
         "next_slot": <slot_card> | null}

    `questions` are the current slot's questions that are not hidden, most votes first
    (at most 50); once the roadshow has ended, those of every slot, in agenda order.
    `next_slot` is the slot after the current one (the first slot before the event goes
    live)."""
    slots = list(roadshow_slots(roadshow=roadshow))
    current = next((s for s in slots if s.pk == roadshow.current_slot_id), None)
    if current is not None:
        later = [s for s in slots if (s.order, s.pk) > (current.order, current.pk)]
        following = later[0] if later else None
    else:
        following = slots[0] if slots and roadshow.status == "scheduled" else None
    return {
        "status": roadshow.status,
        "version": roadshow.live_version,
        "current_slot": slot_card(current) if current else None,
        "questions_open": bool(current and current.questions_open),
        "questions": _live_questions(roadshow, current),
        "next_slot": slot_card(following) if following else None,
    }
