"""`manage.py reset_demo_roadshow`: the demo roadshow back to scheduled from tomorrow at the
same Beijing time, live state, questions, intents and 1:1 meetings cleared, registrations
kept; idempotent; a roadshow that is not a demo is refused."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from projects.choices import RoadshowStatus
from projects.demo import BEIJING
from projects.meetings import console
from projects.models import (
    Intent,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingSchedulePublication,
    Question,
    Registration,
    Roadshow,
)
from tests.projects.meetings.test_console import _scheduled

pytestmark = pytest.mark.django_db


def _played_demo():
    event, _found = _scheduled()
    roadshow = event.roadshow
    console.schedule_publish(roadshow=roadshow, actor=event.host_staff)
    slot = event.slots[0]
    Question.objects.create(slot=slot, author=event.attendees[0], text="能否小试？")
    Intent.objects.create(roadshow=roadshow, slot=slot, user=event.attendees[0])
    slot.questions_open = True
    slot.save()
    Roadshow.objects.filter(pk=roadshow.pk).update(
        is_demo=True, status=RoadshowStatus.ENDED, went_live_at=roadshow.starts_at,
        live_version=12, last_presented_slot=slot)
    Registration.objects.filter(roadshow=roadshow).update(checked_in_at=timezone.now())
    return event


def test_reset_puts_the_demo_back_and_is_idempotent():
    event = _played_demo()
    before = Roadshow.objects.get(pk=event.roadshow.pk)
    planned = event.slots[1].planned_start - before.starts_at
    out = StringIO()
    call_command("reset_demo_roadshow", stdout=out)
    assert f"reset roadshow {before.pk}" in out.getvalue()
    after = Roadshow.objects.get(pk=before.pk)
    tomorrow = timezone.now().astimezone(BEIJING).date() + timedelta(days=1)
    assert after.starts_at.astimezone(BEIJING).date() == tomorrow
    assert after.starts_at.astimezone(BEIJING).time() == before.starts_at.astimezone(BEIJING).time()
    assert after.ends_at - after.starts_at == before.ends_at - before.starts_at
    assert (after.status, after.went_live_at, after.current_slot,
            after.last_presented_slot) == (RoadshowStatus.SCHEDULED, None, None, None)
    # The live state is cached by version: the number moves on, never back to one served before.
    assert after.live_version > 12
    slots = list(after.slots.order_by("order"))
    assert slots[1].planned_start - after.starts_at == planned
    assert not any(s.questions_open for s in slots)
    for model in (Question, Intent, Meeting, MeetingRequest, MeetingBlock,
                  MeetingSchedulePublication):
        assert not model.objects.exists(), model
    registrations = Registration.objects.filter(roadshow=after)
    assert registrations.count() == len(event.attendees)
    assert not registrations.filter(checked_in_at__isnull=False).exists()

    call_command("reset_demo_roadshow", stdout=StringIO())
    again = Roadshow.objects.get(pk=before.pk)
    assert (again.starts_at, again.ends_at) == (after.starts_at, after.ends_at)


def test_a_roadshow_that_is_not_a_demo_is_refused():
    event, _found = _scheduled()
    with pytest.raises(CommandError, match="not a demo"):
        call_command("reset_demo_roadshow", "--roadshow", str(event.roadshow.pk))
    assert Meeting.objects.count() == 2
    with pytest.raises(CommandError, match="no demo roadshow"):
        call_command("reset_demo_roadshow")
