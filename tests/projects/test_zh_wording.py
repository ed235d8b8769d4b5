"""Chinese wording on the roadshow pages: the roadshow's description is 路演介绍 (not the
technology need's 需求描述), and sentences put together in templates use full-width
punctuation (GB/T 15834) on zh-Hans pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.meetings import console
from tests import factories
from tests.projects.meetings.test_console import _scheduled

pytestmark = pytest.mark.django_db


def _zh(user):
    client = factories.login(user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_roadshow_form_labels_its_description_as_the_roadshow_introduction(broker):
    page = _zh(broker).get(reverse("roadshow-new")).content.decode()
    assert "路演介绍" in page and "需求描述" not in page


def test_the_published_line_of_the_meetings_console_is_one_chinese_sentence():
    event, _found = _scheduled()
    console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    page = _zh(event.host_staff).get(
        f"/roadshows/{event.roadshow.pk}/meetings/console/"
    ).content.decode()
    line = page.split("data-published>", 1)[1].split("</p>", 1)[0]
    assert f"由 {event.host_staff.username} 于 " in line and " 发布。" in line
    assert ", " not in line and "." not in line.split("发布。")[0]
