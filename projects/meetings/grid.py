"""Reads of a roadshow's whole meeting schedule for host staff (the meetings console and its
printables): the grid of meeting slots by room, each room's table card and each party's
schedule. Draft or published alike: only host staff views call these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from projects.meetings.scheduling import schedule_inputs
from projects.models import Meeting, Roadshow


def schedule_meetings(*, roadshow: Roadshow) -> QuerySet[Meeting]:
    """Every meeting of the roadshow with what the console shows of it, by start and room."""
    return (
        Meeting.objects.filter(roadshow=roadshow)
        .select_related(
            "request__requester", "request__requester_organization",
            "request__presenter_organization", "request__slot__research_result",
            "request__slot__technology_need",
        )
        .order_by("starts_at", "room", "id")
    )


def requester_label(meeting: Meeting) -> str:
    """The requesting side: the person's name, with their organisation when they have one."""
    req = meeting.request
    name = req.requester.get_full_name() or req.requester.get_username()
    if req.requester_organization is not None:
        return f"{name}（{req.requester_organization.legal_name}）"
    return f"{name}（{_('Guest')}）"


@dataclass
class GridCell:
    room: str
    in_block: bool  # the room is used at this time
    meeting: Meeting | None = None


@dataclass
class GridRow:
    starts_at: datetime
    ends_at: datetime
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class Grid:
    rooms: list[str]
    rows: list[GridRow]


def schedule_grid(*, roadshow: Roadshow) -> Grid:
    """Meeting times (rows) by rooms (columns, in the order the blocks name them), each cell
    holding its meeting, free, or unused (the room is not used then). Meetings at a time no
    block holds any more get a row of their own."""
    slots, _unavailable = schedule_inputs(roadshow=roadshow)
    rooms: list[str] = []
    used: dict[tuple[datetime, datetime], set[str]] = defaultdict(set)
    for slot in slots:
        for room in slot.rooms or ():
            if room not in rooms:
                rooms.append(room)
            used[(slot.start, slot.end)].add(room)
    placed: dict[tuple[datetime, datetime, str], Meeting] = {}
    for meeting in schedule_meetings(roadshow=roadshow):
        placed[(meeting.starts_at, meeting.ends_at, meeting.room)] = meeting
        used.setdefault((meeting.starts_at, meeting.ends_at), set())
        if meeting.room not in rooms:
            rooms.append(meeting.room)
    rows = [
        GridRow(start, end, [
            GridCell(room, room in used[(start, end)], placed.get((start, end, room)))
            for room in rooms
        ])
        for start, end in sorted(used)
    ]
    return Grid(rooms, rows)


@dataclass
class Sheet:
    """One printed page: a heading and its meetings."""

    title: str
    subtitle: str
    meetings: list[Meeting]


def table_cards(*, roadshow: Roadshow) -> list[Sheet]:
    """One card per room with a meeting: its meetings by time."""
    by_room: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in schedule_meetings(roadshow=roadshow):
        by_room[meeting.room].append(meeting)
    order = schedule_grid(roadshow=roadshow).rooms
    return [Sheet(room, "", by_room[room]) for room in order if room in by_room]


def party_schedules(*, roadshow: Roadshow) -> list[Sheet]:
    """One schedule per person who asked for meetings and per presenting organisation (a
    presenting team holds one meeting at a time), by name."""
    people: dict[int, Sheet] = {}
    teams: dict[int, Sheet] = {}
    for meeting in schedule_meetings(roadshow=roadshow):
        req = meeting.request
        person = people.get(req.requester_id)
        if person is None:
            org = req.requester_organization
            person = people[req.requester_id] = Sheet(
                req.requester.get_full_name() or req.requester.get_username(),
                org.legal_name if org else _("Guest"), [])
        person.meetings.append(meeting)
        team = teams.get(req.presenter_organization_id)
        if team is None:
            team = teams[req.presenter_organization_id] = Sheet(
                req.presenter_organization.legal_name, _("Presenting organisation"), [])
        team.meetings.append(meeting)
    return sorted(people.values(), key=lambda s: s.title) + sorted(
        teams.values(), key=lambda s: s.title)


__all__ = [
    "Grid",
    "GridCell",
    "GridRow",
    "Sheet",
    "party_schedules",
    "requester_label",
    "schedule_grid",
    "schedule_meetings",
    "table_cards",
]
