"""A participant's meeting schedule as CSV and iCalendar (RFC 5545, via `icalendar`).

CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese text), one header
row, times in Beijing time as ISO 8601 with offset (``2025-06-10T14:00:00+08:00``).
iCalendar: one VEVENT per meeting with UID ``meeting-<id>@keqiao``, DTSTART/DTEND in UTC,
SUMMARY, LOCATION (room and venue) and DESCRIPTION (the reason given).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.local_time import BEIJING
from kernel.spreadsheets import csv_bytes

if TYPE_CHECKING:
    from projects.meetings.selectors import ScheduleRow
    from projects.models import Roadshow



def _local(value: datetime) -> str:
    return value.astimezone(BEIJING).isoformat()


def schedule_csv(rows: Sequence[ScheduleRow]) -> bytes:
    """The rows as CSV bytes (see the module docstring)."""
    header = [_("Start"), _("End"), _("Room"), _("Project"), _("Role"), _("With"), _("Reason")]
    return csv_bytes([header, *(
        [_local(r.starts_at), _local(r.ends_at), r.room, r.project,
         _("Requester") if r.role == "requester" else _("Presenter"), r.with_whom, r.reason]
        for r in rows
    )])


def schedule_ics(*, roadshow: Roadshow, rows: Sequence[ScheduleRow]) -> bytes:
    """The rows as an iCalendar file (bytes)."""
    # Imported on first use: about 0.05 s that every start of the site paid before its first
    # answer (the URLs import this module).
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Keqiao//Roadshow meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{roadshow.title} – " + _("1:1 meetings"))
    stamp = timezone.now()
    for r in rows:
        event = Event()
        event.add("uid", f"meeting-{r.meeting_id}@keqiao")
        event.add("dtstamp", stamp)
        event.add("dtstart", r.starts_at.astimezone(ZoneInfo("UTC")))
        event.add("dtend", r.ends_at.astimezone(ZoneInfo("UTC")))
        event.add("summary", _("Meeting: %(project)s with %(with)s")
                  % {"project": r.project, "with": r.with_whom})
        event.add("location", ", ".join(p for p in (r.room, roadshow.venue) if p))
        event.add("description", r.reason)
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
