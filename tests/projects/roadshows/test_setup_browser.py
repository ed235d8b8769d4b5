"""Real-browser test of setting a roadshow up (Playwright driving Debian's chromium against
pytest-django's live server, with the demo data): the demo broker creates a roadshow, searches
for two published listings and adds them to its agenda, moves one with the keyboard (the up
and down buttons, the fallback of dragging), sets a presenter, publishes it, and the public
list then shows it. Every page is watched for CSP violations and script errors.

Skipped with a reason when chromium or the playwright package is missing, except under CI.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from marketplace.choices import ListingStatus, OrganizationKind
from marketplace.demo import demo_password
from marketplace.models import Organization, ResearchResult
from projects.choices import RoadshowStatus
from projects.models import Roadshow, RoadshowSlot
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in
from tests.marketplace.organizations.conftest import demo_live_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "【演示】京津冀新材料成果发布推介会"


def _add(page, origin: str, pk: int, listing: ResearchResult) -> None:
    page.fill("main input[name=q]", listing.title)
    with page.expect_navigation():
        page.click("main form[role=search] button[type=submit]")
    page.click(f"main form:has(input[name=listing][value='result:{listing.pk}']) button")
    # Back to the agenda with the same search (?q=…&kind=…#add-title), to add more.
    page.wait_for_url(re.compile(rf".*/roadshows/{pk}/agenda/(\?q=[^#]*)?(#add-title)?$"))


def test_broker_creates_builds_and_publishes_a_roadshow(demo_live_server, sync_playwright):  # noqa: F811
    origin = demo_live_server.url
    first, second = ResearchResult.objects.filter(status=ListingStatus.PUBLISHED).exclude(
        roadshow_slots__isnull=False
    ).order_by("pk")[:2]
    university = Organization.objects.filter(
        is_demo=True, kind=OrganizationKind.UNIVERSITY
    ).first()
    assert university is not None
    year = timezone.now().year + 1

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
            watch = PageWatch(context, origin)
            page = context.new_page()
            log_in(page, origin, "broker", demo_password())

            # A new roadshow from the list; saved as a draft, on to its agenda.
            page.goto(f"{origin}/roadshows/")
            page.click("main a[data-link=roadshow-new]")
            page.fill("input[name=title]", TITLE)
            page.fill("input[name=starts_at]", f"{year}-05-01T09:00")
            page.fill("input[name=ends_at]", f"{year}-05-01T12:00")
            page.fill("input[name=venue]", "天津滨海会议中心")
            page.fill("input[name=capacity]", "80")
            page.click("main button[name=save]")
            page.wait_for_url(re.compile(r".*/roadshows/\d+/agenda/$"))
            roadshow = Roadshow.objects.get(title=TITLE)
            assert roadshow.status == RoadshowStatus.DRAFT

            # Search and add two listings; the second moves up with the keyboard.
            _add(page, origin, roadshow.pk, first)
            _add(page, origin, roadshow.pk, second)
            second_slot = RoadshowSlot.objects.get(roadshow=roadshow, research_result=second)
            page.focus(f"main li[data-slot-id='{second_slot.pk}'] button[value=up]")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            order = list(RoadshowSlot.objects.filter(roadshow=roadshow).order_by(
                "order").values_list("research_result_id", flat=True))
            assert order == [second.pk, first.pk]
            # The moved row keeps the keyboard focus (now first: on its down button).
            page.wait_for_function(
                f"() => document.activeElement && document.activeElement.matches("
                f"\"li[data-slot-id='{second_slot.pk}'] button[value=down]\")")

            # The presenter of the first slot.
            field = f"input[name='slot-{second_slot.pk}-presenter']"
            page.fill(field, university.legal_name)
            with page.expect_navigation():
                page.click(f"main form:has({field}) button[type=submit]")
            second_slot.refresh_from_db()
            assert second_slot.presenter_id == university.pk

            # Publish: to the event's page; the public list shows it.
            page.click("main button[data-action=publish]")
            page.wait_for_url(re.compile(rf".*/roadshows/{roadshow.pk}/$"))
            roadshow.refresh_from_db()
            assert roadshow.status == RoadshowStatus.SCHEDULED
            public = browser.new_context().new_page()
            public.goto(f"{origin}/roadshows/")
            assert TITLE in public.inner_text("main")
            assert watch.problems(page) == []
        finally:
            browser.close()
