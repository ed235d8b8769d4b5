"""The meetings console of host staff (thin: selector/service → render), under
``roadshows/<id>/meetings/console/``:

- the page: meeting blocks (add; ``blocks/<pk>/`` edit, ``blocks/<pk>/delete/``), every
  meeting request with a status filter (``?status=``), the scheduler's run (POST
  ``schedule/``), the grid of times by rooms, the requests left unplaced with their reason,
  each meeting's move and swap forms (POST ``<pk>/move/``, ``<pk>/swap/``) and publishing
  (POST ``publish/``);
- printables: ``roadshows/<id>/meetings/cards/`` (one card per table) and
  ``meetings/schedules/`` (one schedule per party), print-friendly HTML.

Anonymous visitors go to the login page; others than host staff get 403. A refused change is
shown on its form, or with the page's messages when it has none (400, 409 for a conflict),
and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kernel.errors import DomainError
from kernel.local_time import BEIJING
from kernel.web import error_status, form_page_status, request_actor, run_service
from projects.meetings import console
from projects.meetings import services as meetings
from projects.meetings.forms import MeetingBlockForm, MeetingMoveForm, MeetingSwapForm
from projects.meetings.grid import (
    party_schedules,
    requester_label,
    schedule_grid,
    schedule_meetings,
    table_cards,
)
from projects.meetings.scheduling import REASON_MESSAGES, meetings_schedule
from projects.meetings.selectors import (
    meeting_block_list,
    meeting_request_list,
    unanswered_meeting_requests,
)
from projects.models import (
    Meeting,
    MeetingBlock,
    MeetingRequestStatus,
    MeetingSchedulePublication,
    Roadshow,
)
from projects.roadshow_access import staff_roadshow_page


@dataclass
class ConsoleMeeting:
    meeting: Meeting
    who: str
    move_form: MeetingMoveForm
    swap_form: MeetingSwapForm | None


def _label(meeting: Meeting) -> str:
    start = meeting.starts_at.astimezone(BEIJING)
    return f"{start:%m-%d %H:%M} · {meeting.room} · {meeting.request.slot.listing.title}"


def meeting_labels(meetings: list[Meeting]) -> list[tuple[int, str]]:
    """(number, label) of each meeting: the swap forms' choices and the page's one datalist."""
    return [(m.pk, _label(m)) for m in meetings]


def _time_choices(roadshow: Roadshow) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for slot in console.meeting_slots(roadshow):
        start, end = slot.start.astimezone(BEIJING), slot.end.astimezone(BEIJING)
        seen.setdefault(slot.start.isoformat(), f"{start:%m-%d %H:%M}–{end:%H:%M}")
    return list(seen.items())


def _console_meetings(
    roadshow: Roadshow, rooms: list[str], bound: dict[int, forms.Form]
) -> list[ConsoleMeeting]:
    found = list(schedule_meetings(roadshow=roadshow))
    times = _time_choices(roadshow)
    labels = meeting_labels(found)
    rows = []
    for m in found:
        move = bound.get(m.pk)
        swap = bound.get(-m.pk)
        rows.append(ConsoleMeeting(
            m, requester_label(m),
            move if isinstance(move, MeetingMoveForm) else MeetingMoveForm(
                times=times, rooms=rooms, auto_id=f"move-{m.pk}-%s",
                initial={"slot": m.starts_at.isoformat(), "room": m.room}),
            (swap if isinstance(swap, MeetingSwapForm) else MeetingSwapForm(
                meetings=labels, meeting_id=m.pk, auto_id=f"swap-{m.pk}-%s"))
            if len(found) > 1 else None,
        ))
    return rows


def _console_context(
    request: HttpRequest, roadshow: Roadshow, *, block_form: MeetingBlockForm | None = None,
    bound: dict[int, forms.Form] | None = None,
) -> dict[str, Any]:
    grid = schedule_grid(roadshow=roadshow)
    requests = meeting_request_list(roadshow=roadshow, viewer=request.user)
    status = request.GET.get("status", "")
    if status in MeetingRequestStatus.values:
        requests = requests.filter(status=status)
    return {
        "roadshow": roadshow,
        "blocks": meeting_block_list(roadshow=roadshow),
        "block_form": block_form or MeetingBlockForm(),
        "requests": requests,
        "statuses": MeetingRequestStatus.choices,
        "status": status,
        "grid": grid,
        "unplaced": meeting_request_list(roadshow=roadshow, viewer=request.user).filter(
            status=MeetingRequestStatus.UNPLACED),
        "unanswered": unanswered_meeting_requests(roadshow=roadshow),
        "reason_messages": {k: str(v) for k, v in REASON_MESSAGES.items()},
        "meetings": _console_meetings(roadshow, grid.rooms, bound or {}),
        "meeting_numbers": meeting_labels(list(schedule_meetings(roadshow=roadshow))),
        "publication": MeetingSchedulePublication.objects.filter(roadshow=roadshow)
        .select_related("published_by").first(),
    }


def _back(roadshow: Roadshow, anchor: str = "") -> HttpResponse:
    return redirect(reverse("roadshow-meetings-console", args=[roadshow.pk]) + anchor)


def _refused(request: HttpRequest, roadshow: Roadshow, error: DomainError | None) -> HttpResponse:
    """The console page with a refusal's message (run_service put it among the messages),
    answered with the refusal's status: 409 for a conflict, else 400 (module docstring)."""
    return render(request, "projects/meetings_console.html", _console_context(request, roadshow),
                  status=error_status(error))


@login_required
def console_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    return render(request, "projects/meetings_console.html", _console_context(request, roadshow))


def _block_saved(request: HttpRequest, form: MeetingBlockForm,
                 save: Callable[..., MeetingBlock], done: str) -> bool:
    """Run `save` (a block service with its roadshow or block bound) with the form's fields;
    errors go onto the form. Returns whether it saved."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    run = run_service(request, lambda: save(
        actor=request_actor(request), starts_at=data["starts_at"], ends_at=data["ends_at"],
        rooms=data["rooms"], slot_minutes=data["slot_minutes"]), form)
    if run.ok:
        messages.success(request, done)
    return run.ok


@login_required
@require_POST
def block_add(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    """POST ``starts_at``, ``ends_at`` (Beijing time), ``slot_minutes``, ``rooms``."""
    roadshow = staff_roadshow_page(request, roadshow_id)
    form = MeetingBlockForm(request.POST)
    if _block_saved(request, form, partial(meetings.meeting_block_create, roadshow=roadshow),
                    _("The meeting block was added.")):
        return _back(roadshow, "#blocks")
    return render(request, "projects/meetings_console.html",
                  _console_context(request, roadshow, block_form=form), status=400)


@login_required
def block_edit(request: HttpRequest, roadshow_id: int, pk: int) -> HttpResponse:
    """GET the block's form; POST it (as `block_add`) to change the block."""
    roadshow = staff_roadshow_page(request, roadshow_id)
    block = get_object_or_404(MeetingBlock, roadshow=roadshow, pk=pk)
    if request.method == "POST":
        form = MeetingBlockForm(request.POST)
        if _block_saved(request, form, partial(console.meeting_block_update, block=block),
                        _("The meeting block was changed.")):
            return _back(roadshow, "#blocks")
    else:
        form = MeetingBlockForm(initial={
            "starts_at": block.starts_at.astimezone(BEIJING),
            "ends_at": block.ends_at.astimezone(BEIJING),
            "slot_minutes": block.slot_minutes, "rooms": "\n".join(block.rooms)})
    return render(request, "projects/meetings_block.html",
                  {"roadshow": roadshow, "block": block, "form": form},
                  status=form_page_status(request))


@login_required
@require_POST
def block_delete(request: HttpRequest, roadshow_id: int, pk: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    block = get_object_or_404(MeetingBlock, roadshow=roadshow, pk=pk)
    done = run_service(request, lambda: console.meeting_block_delete(
        block=block, actor=request_actor(request)))
    if not done.ok:
        return _refused(request, roadshow, done.error)
    messages.success(request, _("The meeting block was deleted."))
    return _back(roadshow, "#blocks")


@login_required
@require_POST
def schedule_run(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    """POST (``reschedule=1`` to place every meeting afresh): run the scheduler."""
    roadshow = staff_roadshow_page(request, roadshow_id)
    done = run_service(request, lambda: meetings_schedule(
        roadshow=roadshow, actor=request_actor(request),
        reschedule=request.POST.get("reschedule") == "1"))
    if done.result is None:
        return _refused(request, roadshow, done.error)
    messages.success(request, _(
            "The scheduler placed %(placed)d meeting(s); %(unplaced)d request(s) could not be "
            "placed.") % {"placed": len(done.result.placed),
                          "unplaced": len(done.result.unplaced)})
    return _back(roadshow, "#grid")


@login_required
@require_POST
def meeting_move(request: HttpRequest, roadshow_id: int, pk: int) -> HttpResponse:
    """POST ``slot`` (a meeting time's start, ISO 8601) and ``room``."""
    roadshow = staff_roadshow_page(request, roadshow_id)
    meeting = get_object_or_404(Meeting.objects.select_related("roadshow"),
                                roadshow=roadshow, pk=pk)
    form = MeetingMoveForm(request.POST, times=_time_choices(roadshow),
                           rooms=schedule_grid(roadshow=roadshow).rooms, auto_id=f"move-{pk}-%s")
    status = 400
    if form.is_valid():
        done = run_service(request, lambda: console.meeting_move(
            meeting=meeting, actor=request_actor(request), starts_at=form.cleaned_data["slot"],
            room=form.cleaned_data["room"]), form)
        if done.ok:
            messages.success(request, _("The meeting was moved."))
            return _back(roadshow, "#grid")
        status = error_status(done.error)
    return render(request, "projects/meetings_console.html",
                  _console_context(request, roadshow, bound={meeting.pk: form}), status=status)


@login_required
@require_POST
def meeting_swap(request: HttpRequest, roadshow_id: int, pk: int) -> HttpResponse:
    """POST ``other``: the meeting to exchange places with."""
    roadshow = staff_roadshow_page(request, roadshow_id)
    found = {m.pk: m for m in schedule_meetings(roadshow=roadshow).select_related("roadshow")}
    meeting = found.get(pk)
    if meeting is None:
        raise Http404
    form = MeetingSwapForm(request.POST, auto_id=f"swap-{pk}-%s", meeting_id=pk,
                           meetings=meeting_labels(list(found.values())))
    status = 400
    if form.is_valid():
        other = found[form.cleaned_data["other"]]
        done = run_service(request, lambda: console.meeting_swap(
            meeting=meeting, other=other, actor=request_actor(request)), form)
        if done.ok:
            messages.success(request, _("The two meetings were swapped."))
            return _back(roadshow, "#grid")
        status = error_status(done.error)
    return render(request, "projects/meetings_console.html",
                  _console_context(request, roadshow, bound={-meeting.pk: form}), status=status)


@login_required
@require_POST
def schedule_publish(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    done = run_service(request, lambda: console.schedule_publish(
        roadshow=roadshow, actor=request_actor(request)))
    if not done.ok:
        return _refused(request, roadshow, done.error)
    messages.success(request, _("The schedule is published; everyone with a meeting has "
                                "been notified."))
    return _back(roadshow, "#publish")


@login_required
def table_cards_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    return render(request, "projects/meetings_print.html", {
        "roadshow": roadshow, "sheets": table_cards(roadshow=roadshow), "cards": True,
        "heading": _("Table cards")})


@login_required
def party_schedules_page(request: HttpRequest, roadshow_id: int) -> HttpResponse:
    roadshow = staff_roadshow_page(request, roadshow_id)
    return render(request, "projects/meetings_print.html", {
        "roadshow": roadshow, "sheets": party_schedules(roadshow=roadshow), "cards": False,
        "heading": _("Schedules per person")})
