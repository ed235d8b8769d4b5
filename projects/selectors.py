"""Reads of the roadshow domain, with their visibility rules.

- Roadshows and their agendas are public (anyone may see what is on and register).
- Host staff (`is_host_staff`): admins, and brokers/admins who are members of the host
  organisation. Only they control an event, see all registrations and hidden questions.
- The live state (`roadshow_live_state`) is for confirmed attendees and host staff
  (`may_follow_live`); `live_head` answers that and the current version in one query so the
  live endpoint can answer 304 without building anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Now
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace import roles
from marketplace.choices import Role
from marketplace.errors import PermissionDeniedError
from marketplace.models import Membership
from projects.choices import RegistrationStatus
from projects.models import Intent, Question, Registration, Roadshow, RoadshowSlot

if TYPE_CHECKING:
    from marketplace.roles import AnyUser

#: Minutes a registration awaiting payment holds its seat (``ROADSHOW_PAYMENT_HOLD_MINUTES``).
#: Characters of a listing's summary in the live card.
LIVE_SUMMARY_CHARS = 160
#: Most questions the live state lists (by votes).
LIVE_QUESTION_LIMIT = 50
HOST_STAFF_ROLES = (Role.BROKER, Role.ADMIN)


def payment_hold() -> timedelta:
    return timedelta(minutes=settings.ROADSHOW_PAYMENT_HOLD_MINUTES)


def is_host_staff(*, user: AnyUser, roadshow: Roadshow) -> bool:
    """Admins, and members of the host organisation with role broker or admin."""
    if not user.is_authenticated:
        return False
    if roles.is_admin(user):
        return True
    return Membership.objects.filter(
        user_id=user.pk, organization_id=roadshow.host_id, role__in=HOST_STAFF_ROLES
    ).exists()


def require_host_staff(*, user: AnyUser, roadshow: Roadshow) -> None:
    """Raise PermissionDeniedError (403) unless `user` is host staff of `roadshow`."""
    if not is_host_staff(user=user, roadshow=roadshow):
        raise PermissionDeniedError(_("Only staff of the host organisation can do this."))


def hostable_organization_ids(*, user: AnyUser) -> set[int]:
    """Organisations whose roadshows `user` may create and run (admins: any, returned empty
    here — callers check `roles.is_admin` first)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user_id=user.pk, role__in=HOST_STAFF_ROLES).values_list(
            "organization_id", flat=True
        )
    )


def roadshow_list(*, viewer: AnyUser) -> QuerySet[Roadshow]:
    """All roadshows, newest first, with their host; visible to everyone."""
    return (
        Roadshow.objects.select_related("host")
        .annotate(
            # distinct: two counts over two joins would otherwise multiply each other.
            slot_count=Count("slots", distinct=True),
            # Same rule as seats_taken(), as one aggregate for a whole page of roadshows.
            seats_taken_count=Count(
                "registrations",
                filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
                | Q(
                    registrations__status=RegistrationStatus.PENDING_PAYMENT,
                    registrations__hold_until__gt=Now(),
                ),
                distinct=True,
            ),
        )
        .order_by("-starts_at", "-id")
    )


def roadshow_get(*, viewer: AnyUser, pk: Any) -> Roadshow:
    """One roadshow; raises `Http404` for an unknown or malformed id."""
    try:
        return Roadshow.objects.select_related("host", "current_slot").get(pk=int(pk))
    except (Roadshow.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def roadshow_slots(*, roadshow: Roadshow) -> QuerySet[RoadshowSlot]:
    """The agenda in order, with listings, their owners and presenters selected."""
    return RoadshowSlot.objects.filter(roadshow=roadshow).select_related(
        "research_result__owner", "technology_need__owner", "presenter"
    ).order_by("order", "id")


def slot_get(*, roadshow: Roadshow, pk: Any) -> RoadshowSlot:
    """A slot of `roadshow`; raises `Http404` otherwise."""
    try:
        return roadshow_slots(roadshow=roadshow).get(pk=int(pk))
    except (RoadshowSlot.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def registration_active(*, roadshow: Roadshow, user: AnyUser) -> Registration | None:
    """The user's pending or confirmed registration, if any."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(
        roadshow=roadshow,
        user_id=user.pk,
        status__in=[RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.CONFIRMED],
    ).first()


def is_confirmed_attendee(*, roadshow: Roadshow, user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return Registration.objects.filter(
        roadshow=roadshow, user_id=user.pk, status=RegistrationStatus.CONFIRMED
    ).exists()


def may_follow_live(*, roadshow: Roadshow, user: AnyUser) -> bool:
    """Confirmed attendees and host staff may read the live state, ask and express intent."""
    return is_confirmed_attendee(roadshow=roadshow, user=user) or is_host_staff(
        user=user, roadshow=roadshow
    )


def seats_taken(*, roadshow: Roadshow) -> int:
    """Confirmed registrations plus those awaiting payment whose hold (`hold_until`, set to
    now + `payment_hold()` when checkout starts) has not run out."""
    return Registration.objects.filter(
        Q(status=RegistrationStatus.CONFIRMED)
        | Q(status=RegistrationStatus.PENDING_PAYMENT, hold_until__gt=timezone.now()),
        roadshow=roadshow,
    ).count()


def registration_list(*, roadshow: Roadshow) -> QuerySet[Registration]:
    """All registrations of a roadshow (host staff only: the API checks)."""
    return Registration.objects.filter(roadshow=roadshow).select_related(
        "user", "organization", "payment"
    ).order_by("created_at", "id")


def registration_list_own(*, user: AnyUser) -> QuerySet[Registration]:
    """The user's registrations, newest first."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return Registration.objects.filter(user_id=user.pk).select_related("roadshow", "payment")


def registration_get(*, pk: Any) -> Registration:
    try:
        return Registration.objects.select_related("roadshow", "payment").get(pk=int(pk))
    except (Registration.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def question_list(*, roadshow: Roadshow, include_hidden: bool = False) -> QuerySet[Question]:
    """Questions of all slots, most votes first, then oldest first. `include_hidden` for staff."""
    qs = Question.objects.filter(slot__roadshow=roadshow).annotate(vote_count=Count("votes"))
    if not include_hidden:
        qs = qs.filter(hidden=False)
    return qs.order_by("-vote_count", "created_at", "id")


def question_get(*, roadshow: Roadshow, pk: Any) -> Question:
    try:
        return Question.objects.select_related("slot").get(pk=int(pk), slot__roadshow=roadshow)
    except (Question.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def intent_list_own(*, roadshow: Roadshow, user: AnyUser) -> QuerySet[Intent]:
    if not user.is_authenticated:
        return Intent.objects.none()
    return Intent.objects.filter(roadshow=roadshow, user_id=user.pk).select_related("slot")


# --- live state -----------------------------------------------------------------------------


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
    None for an unknown roadshow."""
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
        row = qs.values_list("pk", "live_version", "attendee", "staff").first()
        if row is None:
            return None
        return LiveHead(
            roadshow_id=row[0], live_version=row[1], allowed=superuser or row[2] or row[3]
        )
    plain = qs.values_list("pk", "live_version").first()
    if plain is None:
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


def roadshow_live_state(*, roadshow: Roadshow) -> dict[str, Any]:
    """The live state (GET /api/v1/roadshows/{id}/live/)::

        {"status": "scheduled"|"live"|"ended"|"cancelled", "version": int,
         "current_slot": <slot_card> | null, "questions_open": bool,
         "questions": [{"id", "slot", "text", "votes", "answered", "answer"}],
         "next_slot": <slot_card> | null}

    `questions` are the current slot's questions that are not hidden, most votes first
    (at most 50). `next_slot` is the slot after the current one (the first slot before the
    event goes live)."""
    slots = list(roadshow_slots(roadshow=roadshow))
    current = next((s for s in slots if s.pk == roadshow.current_slot_id), None)
    if current is not None:
        later = [s for s in slots if (s.order, s.pk) > (current.order, current.pk)]
        following = later[0] if later else None
    else:
        following = slots[0] if slots and roadshow.status == "scheduled" else None
    questions: list[dict[str, Any]] = []
    if current is not None:
        qs = (
            Question.objects.filter(slot=current, hidden=False)
            .annotate(vote_count=Count("votes"))
            .order_by("-vote_count", "created_at", "id")[:LIVE_QUESTION_LIMIT]
        )
        questions = [
            {
                "id": q.pk,
                "slot": q.slot_id,
                "text": q.text,
                "votes": q.vote_count,
                "answered": q.answered,
                "answer": q.answer,
            }
            for q in qs
        ]
    return {
        "status": roadshow.status,
        "version": roadshow.live_version,
        "current_slot": slot_card(current) if current else None,
        "questions_open": bool(current and current.questions_open),
        "questions": questions,
        "next_slot": slot_card(following) if following else None,
    }
