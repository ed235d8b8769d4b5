"""Reads of roadshows, their agendas, questions and intents. Published roadshows and their
agendas are public (anyone may see what is on and register); a draft is seen by its host
staff alone, in the list and by id (`visible_roadshows`: the one rule of the web pages and
the API); who may see the rest is in `projects.permissions`. The live state is in
`projects.roadshows.live.selectors`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Now
from django.http import Http404

from marketplace import roles
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.models import Intent, Question, Roadshow, RoadshowSlot
from projects.permissions import hostable_organization_ids

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def visible_roadshows(*, viewer: AnyUser) -> QuerySet[Roadshow]:
    """The roadshows `viewer` may see: every published one, and the drafts of the
    organisations `viewer` is host staff of (site admins: every draft)."""
    if roles.is_admin(viewer):
        return Roadshow.objects.all()
    published = ~Q(status=RoadshowStatus.DRAFT)
    hostable = hostable_organization_ids(user=viewer)
    if hostable:
        return Roadshow.objects.filter(published | Q(host_id__in=hostable))
    return Roadshow.objects.filter(published)


def roadshow_list(*, viewer: AnyUser) -> QuerySet[Roadshow]:
    """The roadshows `viewer` may see (`visible_roadshows`), newest first, with their host."""
    return (
        visible_roadshows(viewer=viewer).select_related("host")
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


def roadshow_get(*, viewer: AnyUser, pk: int | str) -> Roadshow:
    """One roadshow `viewer` may see; raises `Http404` for an unknown or malformed id, and for
    a draft of a host `viewer` is not staff of."""
    try:
        return visible_roadshows(viewer=viewer).select_related("host", "current_slot").get(
            pk=int(pk)
        )
    except (Roadshow.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def roadshow_slots(*, roadshow: Roadshow) -> QuerySet[RoadshowSlot]:
    """The agenda in order, with listings, their owners and presenters selected."""
    return RoadshowSlot.objects.filter(roadshow=roadshow).select_related(
        "research_result__owner", "technology_need__owner", "presenter"
    ).order_by("order", "id")


def slot_get(*, roadshow: Roadshow, pk: int | str) -> RoadshowSlot:
    """A slot of `roadshow`; raises `Http404` otherwise."""
    try:
        return roadshow_slots(roadshow=roadshow).get(pk=int(pk))
    except (RoadshowSlot.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def question_list(*, roadshow: Roadshow, include_hidden: bool = False) -> QuerySet[Question]:
    """Questions of all slots, most votes first, then oldest first. `include_hidden` for staff."""
    qs = Question.objects.filter(slot__roadshow=roadshow).annotate(vote_count=Count("votes"))
    if not include_hidden:
        qs = qs.filter(hidden=False)
    return qs.order_by("-vote_count", "created_at", "id")


def question_get(*, roadshow: Roadshow, pk: int | str) -> Question:
    try:
        return Question.objects.select_related("slot").get(pk=int(pk), slot__roadshow=roadshow)
    except (Question.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def intent_list_own(*, roadshow: Roadshow, user: AnyUser) -> QuerySet[Intent]:
    if not user.is_authenticated:
        return Intent.objects.none()
    return Intent.objects.filter(roadshow=roadshow, user_id=user.pk).select_related("slot")
