"""Resetting the demo roadshow (`Roadshow.is_demo`) so its demo can be played again
(`manage.py reset_demo_roadshow`).

`reset_demo_roadshow` puts the event back as `load_demo` left it, one day ahead:

- status scheduled, starting tomorrow at the same Beijing time of day and lasting as long as
  before, the agenda's planned starts moved with it; no slot presenting, none presented,
  questions closed on every slot; `went_live_at` cleared; `live_version` moved on (never
  back: the live state is cached by version, so an old number would serve the old state);
- questions (with their votes) and intents deleted;
- the 1:1 meetings deleted with everything they hang on: meeting requests (and their mediation
  steps), meeting blocks, unavailable times and the schedule's publication;
- registrations kept (the demo attendee stays confirmed), check-ins cleared.

Idempotent: a second run on the same day leaves the same state (but for `live_version`).
Refuses a roadshow that is not a demo (`NotADemo`), so no real event can be wiped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kernel.local_time import BEIJING
from kernel.locking import lock_row
from projects.choices import RoadshowStatus
from projects.models import (
    Intent,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingSchedulePublication,
    Question,
    Registration,
    Roadshow,
    RoadshowSlot,
    Unavailability,
)


class NotADemo(Exception):
    """The roadshow is not a demo roadshow."""


def _tomorrow_same_time(starts_at: datetime) -> datetime:
    """Tomorrow (Beijing time) at the Beijing time of day of `starts_at`, as aware UTC."""
    local = starts_at.astimezone(BEIJING)
    day = timezone.now().astimezone(BEIJING).date() + timedelta(days=1)
    return datetime.combine(day, local.timetz()).astimezone(starts_at.tzinfo)


def reset_demo_roadshow(roadshow: Roadshow) -> Roadshow:
    """Reset the demo `roadshow` (see the module docstring); raises `NotADemo` for others."""
    if not roadshow.is_demo:
        raise NotADemo(f"roadshow {roadshow.pk} is not a demo roadshow")
    with transaction.atomic():
        locked = lock_row(roadshow)
        starts_at = _tomorrow_same_time(locked.starts_at)
        shift = starts_at - locked.starts_at
        Question.objects.filter(slot__roadshow=locked).delete()  # votes cascade
        Intent.objects.filter(roadshow=locked).delete()
        Meeting.objects.filter(roadshow=locked).delete()
        MeetingRequest.objects.filter(roadshow=locked).delete()
        MeetingBlock.objects.filter(roadshow=locked).delete()
        Unavailability.objects.filter(roadshow=locked).delete()
        MeetingSchedulePublication.objects.filter(roadshow=locked).delete()
        Registration.objects.filter(roadshow=locked).update(checked_in_at=None)
        RoadshowSlot.objects.filter(roadshow=locked).update(
            planned_start=F("planned_start") + shift, questions_open=False)
        locked.starts_at, locked.ends_at = starts_at, locked.ends_at + shift
        locked.status = RoadshowStatus.SCHEDULED
        locked.current_slot = None
        locked.last_presented_slot = None
        locked.went_live_at = None
        locked.live_version += 1
        locked.save()
    return locked
