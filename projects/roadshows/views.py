"""Web pages of roadshows (路演): the list, an event's page with its agenda and the register
button, the live control room (host staff) and the phone-friendly audience page (confirmed
registrants and host staff).

Views are thin: they read through the selectors of `projects.roadshows` and render (the
register button's POST is in `projects.registrations.views`). The live pages render the state
once (the same `roadshow_live_state` the API returns) and `static/projects/live.js` then
polls ``GET /api/v1/roadshows/<id>/live/`` about every second with its ETag, and sends control
actions, questions and intents to the roadshow API.

Permissions (rules in `projects.permissions`): the list and event pages are public; the control
room is for host staff only (others get 403, anonymous users the login page); the audience
page is for confirmed registrants and host staff (others are sent to the event page to
register, anonymous users to the login page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import ensure_csrf_cookie

from kernel.templatetags.keqiao import colon
from marketplace import roles
from projects.choices import RoadshowStatus
from projects.models import Roadshow, validate_stream_url
from projects.permissions import (
    is_confirmed_attendee,
    is_host_staff,
    may_create_roadshows,
    may_follow_live,
)
from projects.registrations.forms import RegisterForm
from projects.registrations.selectors import registration_active, seats_taken
from projects.roadshows import selectors
from projects.roadshows.forms import QuestionForm
from projects.roadshows.live.selectors import roadshow_live_state
from projects.roadshows.selectors import roadshow_get, roadshow_slots

#: Endpoints of the roadshow API (`projects.api_urls`) the live script calls: script name →
#: route name. Question routes get ``{qid}`` in place of the question id (see live.js).
_API_ROUTES: dict[str, str] = {
    "live": "api-roadshow-live",
    "advance": "api-roadshow-advance",
    "go_live": "api-roadshow-go-live",
    "end": "api-roadshow-end",
    "questions_open": "api-roadshow-questions-open",
    "questions_close": "api-roadshow-questions-close",
    "ask": "api-roadshow-questions",
    "intent": "api-roadshow-intents",
}
_QUESTION_ROUTES: dict[str, str] = {
    "upvote": "api-roadshow-question-upvote",
    "hide": "api-roadshow-question-hide",
    "answer": "api-roadshow-question-answer",
}
_QID = "{qid}"


def _api_urls(roadshow: Roadshow) -> dict[str, str]:
    """The paths of the live endpoints of `roadshow`, e.g. ``{"live":
    "/api/v1/roadshows/7/live/", "upvote": "/api/v1/roadshows/7/questions/{qid}/upvote/"}``."""
    urls = {name: reverse(route, kwargs={"pk": roadshow.pk}) for name, route in _API_ROUTES.items()}
    for name, route in _QUESTION_ROUTES.items():
        # Reverse with a sentinel id, then put the placeholder in its place.
        sample = reverse(route, kwargs={"pk": roadshow.pk, "question_pk": 987654321})
        urls[name] = sample.replace("/987654321/", f"/{_QID}/")
    return urls


def _live_strings() -> dict[str, str]:
    """UI strings of live.js, translated into the request's language."""
    return {
        "status_scheduled": _("Not started"),
        "status_live": _("Live"),
        "status_ended": _("Ended"),
        "status_cancelled": _("Cancelled"),
        "now": _("Now presenting"),
        "up_next": _("Up next"),
        "slot_no": _("No. %(order)s"),
        "type_result": _("Research result"),
        "type_need": _("Technology need"),
        "trl": _("TRL"),
        "owner": _("Owner"),
        "waiting": _("The roadshow has not started yet."),
        "ended_text": _("The roadshow has ended. Thank you for taking part!"),
        "none": _("Nothing to show."),
        "votes": _("Votes"),
        "upvote": _("Upvote"),
        "hide": _("Hide"),
        "answer": _("Answer"),
        "answered": _("Answered"),
        "answer_placeholder": _("Answer (optional)"),
        "mark_answered": _("Mark answered"),
        "no_questions": _("No questions yet."),
        "questions_open": _("Questions are open."),
        "questions_closed": _("Questions are closed."),
        "asked": _("Your question was sent."),
        "colon": colon(),
        "working": _("Sending…"),
        "error": _("Something went wrong. Please try again."),
        "confirm_end": _("End the roadshow for everyone?"),
        "intent": _("I'm interested"),
        "intent_pressed": _("Interest expressed"),
    }


def _safe_stream_url(roadshow: Roadshow) -> str:
    """The roadshow's stream embed URL if it still passes the allow-list (it is validated when
    saved; the allow-list may have changed since), else ``""``: nothing is embedded."""
    url = roadshow.stream_embed_url or ""
    if not url:
        return ""
    try:
        validate_stream_url(url)
    except ValidationError:
        return ""
    return url


def _live_context(request: HttpRequest, roadshow: Roadshow, mode: str) -> dict[str, Any]:
    state = roadshow_live_state(roadshow=roadshow)
    endpoints = _api_urls(roadshow)
    return {
        "roadshow": roadshow,
        "mode": mode,
        "state": state,
        "slots": list(roadshow_slots(roadshow=roadshow)),
        "live_url": endpoints["live"],
        "endpoints": endpoints,
        "strings": _live_strings(),
        "is_host_staff": is_host_staff(user=request.user, roadshow=roadshow),
    }


def roadshow_list(request: HttpRequest) -> HttpResponse:
    """GET /roadshows/: upcoming and live roadshows first, then past ones; for host staff
    also their drafts and the way to a new roadshow."""
    roadshows = selectors.roadshow_list(viewer=request.user)
    current = roadshows.filter(
        Q(status=RoadshowStatus.SCHEDULED) | Q(status=RoadshowStatus.LIVE)
    ).order_by("starts_at", "id")
    drafts = roadshows.filter(status=RoadshowStatus.DRAFT).order_by("starts_at", "id")
    past = roadshows.filter(status__in=(RoadshowStatus.ENDED, RoadshowStatus.CANCELLED))
    return render(request, "projects/list.html", {
        "current": current, "past": past, "drafts": drafts,
        "may_create": may_create_roadshows(request.user),
    })


def roadshow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /roadshows/<pk>/: the event, its agenda and the register button (or the way to the
    live pages for those who may open them)."""
    roadshow = roadshow_get(viewer=request.user, pk=pk)
    registration = registration_active(roadshow=roadshow, user=request.user)
    is_staff = is_host_staff(user=request.user, roadshow=roadshow)
    confirmed = is_confirmed_attendee(roadshow=roadshow, user=request.user)
    open_for_registration = roadshow.status in (RoadshowStatus.SCHEDULED, RoadshowStatus.LIVE)
    slots = list(roadshow_slots(roadshow=roadshow))
    own_orgs = roles.organization_ids(request.user)
    is_presenter = any(slot.presenter_id in own_orgs for slot in slots)
    may_request_meetings = confirmed and roadshow.status != RoadshowStatus.CANCELLED
    return render(
        request,
        "projects/detail.html",
        {
            "roadshow": roadshow,
            "slots": slots,
            "registration": registration,
            "confirmed": confirmed,
            "is_host_staff": is_staff,
            "may_follow": confirmed or is_staff,
            # The ticket page shows pending and confirmed registrations (QR once confirmed).
            "has_ticket": registration is not None,
            # The my-schedule page: meetings asked for, received (presenters) or run (staff).
            "may_meet": confirmed or is_presenter or is_staff,
            # Agenda slots the viewer may ask a 1:1 meeting about (not their own).
            "meeting_slot_ids": {s.pk for s in slots if s.presenter_id not in own_orgs}
            if may_request_meetings else set(),
            "seats_left": max(roadshow.capacity - seats_taken(roadshow=roadshow), 0),
            "open_for_registration": open_for_registration,
            "register_form": RegisterForm(),
        },
    )


@login_required
@ensure_csrf_cookie
def roadshow_control(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /roadshows/<pk>/control/: the live control room (host staff only, else 403)."""
    roadshow = roadshow_get(viewer=request.user, pk=pk)
    if not is_host_staff(user=request.user, roadshow=roadshow):
        raise PermissionDenied(_("Only staff of the host organisation can run this roadshow."))
    return render(request, "projects/control.html", _live_context(request, roadshow, "control"))


@login_required
@ensure_csrf_cookie
def roadshow_audience(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /roadshows/<pk>/live/: the audience page (confirmed registrants and host staff;
    others are sent to the event page to register)."""
    roadshow = roadshow_get(viewer=request.user, pk=pk)
    if not may_follow_live(roadshow=roadshow, user=request.user):
        messages.info(request, _("Register for this roadshow to follow it live."))
        return redirect("roadshow-detail", pk=roadshow.pk)
    context = _live_context(request, roadshow, "audience")
    # The slots the viewer has expressed interest in: the intent button shows its pressed
    # state for them (WAI-ARIA toggle button, aria-pressed), here and in live.js.
    intent_slot_ids = sorted(
        selectors.intent_list_own(roadshow=roadshow, user=request.user).values_list(
            "slot_id", flat=True
        )
    )
    context.update(
        {
            "intent_slot_ids": intent_slot_ids,
            "intent_pressed": roadshow.current_slot_id in intent_slot_ids,
            "stream_url": _safe_stream_url(roadshow),
            # An ended roadshow says so instead of showing a player with nothing to play.
            "stream_ended": roadshow.status == RoadshowStatus.ENDED,
            "question_form": QuestionForm(),
            "is_attendee": is_confirmed_attendee(roadshow=roadshow, user=request.user),
            # live.js puts the research result's id in place of the sentinel.
            "match_result_url": reverse("match-request-create", kwargs={"pk": 987654321}),
        }
    )
    return render(request, "projects/audience.html", context)
