"""`manage.py reset_demo_roadshow` reports the new start in Beijing time, the time its
audience reads, not in UTC."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kernel.local_time import BEIJING
from projects.models import Roadshow
from tests.projects.meetings.test_reset_demo import _played_demo

pytestmark = pytest.mark.django_db


def test_reset_prints_the_start_in_beijing_time():
    event = _played_demo()
    out = StringIO()
    call_command("reset_demo_roadshow", stdout=out)
    starts = Roadshow.objects.get(pk=event.roadshow.pk).starts_at.astimezone(BEIJING)
    assert f"starts {starts:%Y-%m-%d %H:%M}+08:00 (Beijing time)" in out.getvalue()
