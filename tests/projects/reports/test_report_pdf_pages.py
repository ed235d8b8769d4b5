"""No page of the report PDF is (nearly) blank: a roadshow with a full agenda and activity on
every project, rendered through the shared renderer, read back with pdfplumber."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pdfplumber
import pytest
from django.utils import translation

from marketplace import roles
from matching.models import MatchRequest, MatchRequestDirection
from projects.choices import RoadshowStatus
from projects.meetings import services as meetings
from projects.models import Intent, Roadshow, RoadshowSlot
from projects.reports.export import report_pdf
from projects.reports.selectors import roadshow_report
from tests import factories
from tests.projects.meeting_support import START, make_event

pytestmark = pytest.mark.django_db

#: Fewer characters than this on a page means it is nearly blank: a full page of the report
#: holds several hundred, and even a short last page carries a few table rows.
MIN_CHARS_PER_PAGE = 80
#: Every page but the last is used at least down to this share of its height (the bug: the
#: chart, which cannot split, moved to page 2 and left page 1 with the summary alone).
MIN_FILL = 0.6


def _event_with_activity(projects: int) -> Roadshow:
    """`projects` slots, each with intents, meeting requests and match requests (all three
    chart series), so the chart is as tall as it gets."""
    event = make_event(presenters=1, attendees=3)
    roadshow = event.roadshow
    presenter = event.slots[0].presenter
    for i in range(1, projects):
        result = factories.ResearchResultFactory(owner=presenter,
                                                 title=f"面向京津冀的成果转化项目第{i + 1}号")
        RoadshowSlot.objects.create(roadshow=roadshow, order=i + 1, research_result=result,
                                    presenter=presenter,
                                    planned_start=START + timedelta(minutes=10 * i), minutes=10)
    slots = list(RoadshowSlot.objects.filter(roadshow=roadshow).order_by("order"))
    for n, slot in enumerate(slots):
        for user in event.attendees[: 1 + n % 3]:
            Intent.objects.create(roadshow=roadshow, slot=slot, user=user)
            meetings.meeting_request_create(roadshow=roadshow, slot=slot, requester=user,
                                            reason="洽谈")
            mr = MatchRequest.objects.create(
                direction=MatchRequestDirection.NEED_TO_RESULT,
                research_result=slot.research_result,
                requester=roles.primary_organization(user), addressee=presenter,
                created_by=user, message="路演后希望对接")
            MatchRequest.objects.filter(pk=mr.pk).update(created_at=START + timedelta(hours=1))
    roadshow.status = RoadshowStatus.ENDED
    roadshow.last_presented_slot = slots[-1]
    roadshow.save(update_fields=["status", "last_presented_slot"])
    return roadshow


def _pages(pdf: bytes) -> list[tuple[int, float]]:
    """Per page: the characters of its text (without spaces) and how far down its content
    (text, bars, table borders; not the page-number footer) reaches, as a share of height."""
    pages = []
    with pdfplumber.open(BytesIO(pdf)) as document:
        for page in document.pages:
            text = (page.extract_text() or "").replace(" ", "").replace("\n", "")
            footer = page.height - 20 * 72 / 25.4  # the bottom margin holds "n / m"
            bottoms = [o["bottom"] for o in page.chars + page.rects + page.lines
                       if o["bottom"] < footer]
            pages.append((len(text), max(bottoms, default=0) / page.height))
    return pages


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("projects", [3, 12, 30])
def test_no_page_of_the_report_pdf_is_nearly_blank(language, projects):
    roadshow = _event_with_activity(projects)
    with translation.override(language):
        pdf = report_pdf(roadshow_report(roadshow=roadshow))
    pages = _pages(pdf)
    assert pages and min(chars for chars, _fill in pages) >= MIN_CHARS_PER_PAGE, pages
    assert all(fill >= MIN_FILL for _chars, fill in pages[:-1]), pages
