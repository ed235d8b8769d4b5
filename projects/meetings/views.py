"""Web pages of 1:1 meetings (thin: selector/service → render).

- ``roadshows/<id>/my-schedule/``: the viewer's 1:1 meetings and meeting requests (presenters
  accept/decline here); ``my-schedule.csv`` / ``my-schedule.ics``. Confirmed attendees request
  a meeting there (POST ``meetings/request/``) and anyone taking part marks an unavailable
  time (POST ``unavailable/``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.web import attachment, error_status, form_page_status, request_actor, run_service
from marketplace import roles
from marketplace.selectors import own_organizations
from projects.choices import RoadshowStatus
from projects.meetings import services as meetings
from projects.meetings.export import schedule_csv, schedule_ics
from projects.meetings.forms import MeetingRequestForm, UnavailabilityForm
from projects.meetings.scheduling import REASON_MESSAGES
from projects.meetings.selectors import (
    meeting_request_get,
    meeting_request_list,
    schedule_published,
    schedule_rows,
    unavailability_list,
)
from projects.models import Roadshow, RoadshowSlot
from projects.permissions import is_confirmed_attendee, is_host_staff
from projects.roadshows.selectors import roadshow_get, roadshow_slots

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def _schedule_context(
    request: HttpRequest,
    roadshow: Roadshow,
    *,
    request_form: MeetingRequestForm | None = None,
    unavailability_form: UnavailabilityForm | None = None,
) -> dict[str, Any]:
    """What the my-schedule page shows: the viewer's meetings, the requests they sent and
    received, their unavailable times and — for those who may use them — the request form
    (confirmed attendees of an event that is not cancelled) and the unavailability form
    (confirmed attendees, members of presenting organisations, host staff)."""
    user = request_actor(request)
    own_orgs = roles.organization_ids(user)
    requests = meeting_request_list(roadshow=roadshow, viewer=user)
    staff = is_host_staff(user=user, roadshow=roadshow)
    if staff:
        # Staff see every request on the API; the page shows only their own side.
        requests = requests.filter(
            Q(requester_id=user.pk) | Q(presenter_organization_id__in=own_orgs)
        )
    attendee = is_confirmed_attendee(roadshow=roadshow, user=user)
    slots = roadshow_slots(roadshow=roadshow)
    presenter = slots.filter(presenter_id__in=own_orgs).exists()
    may_request = attendee and roadshow.status != RoadshowStatus.CANCELLED
    if request_form is None and may_request:
        request_form = MeetingRequestForm(
            slots=_requestable_slots(roadshow, user), initial={"slot": request.GET.get("slot")}
        )
    if unavailability_form is None and (attendee or presenter or staff):
        unavailability_form = UnavailabilityForm(organizations=own_organizations(user))
    return {
        "roadshow": roadshow,
        "rows": schedule_rows(roadshow=roadshow, user=user),
        "sent": [r for r in requests if r.requester_id == user.pk],
        "received": [r for r in requests if r.requester_id != user.pk],
        "reason_messages": {k: str(v) for k, v in REASON_MESSAGES.items()},
        # Until host staff publish it the schedule is a draft: placed requests show as
        # accepted (`projects.meetings.console.schedule_publish`).
        "draft": not schedule_published(roadshow=roadshow),
        "request_form": request_form if may_request else None,
        "unavailability_form": unavailability_form,
        "unavailable": unavailability_list(roadshow=roadshow, viewer=user).filter(
            Q(user_id=user.pk) | Q(organization_id__in=own_orgs)
        ),
    }


def _requestable_slots(roadshow: Roadshow, user: AnyUser) -> QuerySet[RoadshowSlot]:
    """Agenda slots the user may ask a meeting about: all but their own organisations'."""
    return roadshow_slots(roadshow=roadshow).exclude(
        presenter_id__in=roles.organization_ids(user)
    )


@login_required
def my_schedule_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    return render(request, "projects/my_schedule.html", _schedule_context(request, roadshow))


@login_required
@require_POST
def meeting_request_create_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    """POST ``slot``, ``reason`` from the my-schedule page: ask the presenter organisation of
    an agenda slot for a 1:1 meeting (`projects.meetings.services.meeting_request_create`).
    Redirects to the page on success; re-renders it with the errors on the form (400, 409 for
    a duplicate request); 403 for those who may not request meetings."""
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    user = request_actor(request)
    form = MeetingRequestForm(request.POST, slots=_requestable_slots(roadshow, user))
    status = 400
    if form.is_valid():
        sent = run_service(request, lambda: meetings.meeting_request_create(
            roadshow=roadshow, slot=form.cleaned_data["slot"], requester=user,
            reason=form.cleaned_data["reason"],
        ), form)
        if sent.error is not None:
            status = error_status(sent.error)
        else:
            messages.success(request, _("Your meeting request was sent. You will be notified "
                                        "of the answer."))
            return redirect("roadshow-my-schedule", roadshow_id=roadshow.pk)
    return render(request, "projects/my_schedule.html",
                  _schedule_context(request, roadshow, request_form=form), status=status)


@login_required
@require_POST
def unavailability_add_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    """POST ``starts_at``, ``ends_at`` (Beijing time), optional ``organization`` and ``note``
    from the my-schedule page (`projects.meetings.services.unavailability_add`). Redirects on
    success; re-renders the page with the errors on the form (400)."""
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    user = request_actor(request)
    form = UnavailabilityForm(request.POST, organizations=own_organizations(user))
    saved = None
    if form.is_valid():
        saved = run_service(request, lambda: meetings.unavailability_add(
            roadshow=roadshow, actor=user, starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            organization=form.cleaned_data.get("organization"),
            note=form.cleaned_data["note"],
        ), form)
        if saved.ok:
            messages.success(request, _("Your unavailable time was saved."))
            return redirect("roadshow-my-schedule", roadshow_id=roadshow.pk)
    return render(request, "projects/my_schedule.html",
                  _schedule_context(request, roadshow, unavailability_form=form),
                  status=form_page_status(request, saved))


@login_required
def my_schedule_csv(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    rows = schedule_rows(roadshow=roadshow, user=request.user)
    return attachment(schedule_csv(rows), "text/csv; charset=utf-8",
                       f"roadshow-{roadshow.pk}-meetings.csv")


@login_required
def my_schedule_ics(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    rows = schedule_rows(roadshow=roadshow, user=request.user)
    return attachment(schedule_ics(roadshow=roadshow, rows=rows),
                       "text/calendar; charset=utf-8", f"roadshow-{roadshow.pk}-meetings.ics")


@login_required
@require_POST
def meeting_request_answer(request: HttpRequest, roadshow_id: int, pk: int) -> HttpResponse:
    """POST ``action=accept`` or ``action=decline`` (with ``reason``) from the schedule page."""
    roadshow = roadshow_get(viewer=request.user, pk=roadshow_id)
    found = meeting_request_get(roadshow=roadshow, viewer=request.user, pk=pk)
    actor = request_actor(request)
    if request.POST.get("action") == "accept":
        answered = run_service(
            request, lambda: meetings.meeting_request_accept(request=found, actor=actor),
            permission_as_message=True,
        )
        done = _("Meeting request accepted.")
    else:
        answered = run_service(
            request, lambda: meetings.meeting_request_decline(
                request=found, actor=actor, reason=request.POST.get("reason", "")),
            permission_as_message=True,
        )
        done = _("Meeting request declined.")
    if answered.ok:
        messages.success(request, done)
    return redirect("roadshow-my-schedule", roadshow_id=roadshow.pk)
