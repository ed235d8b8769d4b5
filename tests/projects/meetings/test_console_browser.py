"""Real-browser test of the meetings console with the demo data (Playwright driving Debian's
chromium against pytest-django's live server): the demo broker opens the console of the demo
roadshow, adds a meeting block, runs the scheduler, moves a meeting with the move form's
selects, publishes the schedule, and the demo enterprise's my-schedule page (on a phone)
then lists the meeting. Every page is watched for CSP violations and script errors.

Skipped with a reason when chromium or the playwright package is missing, except under CI.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from marketplace.demo import demo_password
from projects.demo import BEIJING
from projects.meetings import services as meetings
from projects.models import Meeting, MeetingSchedulePublication, Roadshow
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in
from tests.marketplace.organizations.conftest import demo_live_server  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accepted_requests(roadshow: Roadshow) -> list[str]:
    """The demo enterprise asks two presenters for a meeting; the transfer centre accepts
    on their behalf (their organisations have no members). Returns the projects' titles."""
    users = get_user_model().objects
    enterprise, broker = users.get(username="enterprise"), users.get(username="broker")
    titles = []
    for slot in roadshow.slots.order_by("order")[:2]:
        request = meetings.meeting_request_create(
            roadshow=roadshow, slot=slot, requester=enterprise, reason="希望洽谈技术许可。")
        with transaction.atomic():
            meetings.record_acceptance(request, broker, on_behalf=True)
        titles.append(slot.listing.title)
    return titles


def test_broker_schedules_moves_and_publishes_meetings_and_the_attendee_sees_them(
    demo_live_server, sync_playwright  # noqa: F811 (the fixture imported above)
):
    origin = demo_live_server.url
    roadshow = Roadshow.objects.get(is_demo=True)
    titles = _accepted_requests(roadshow)
    day = roadshow.starts_at.astimezone(BEIJING).date()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            broker_ctx = browser.new_context()
            phone_ctx = browser.new_context(viewport={"width": 390, "height": 844})
            watches = [PageWatch(ctx, origin) for ctx in (broker_ctx, phone_ctx)]
            page, phone = broker_ctx.new_page(), phone_ctx.new_page()

            log_in(page, origin, "broker", demo_password())
            page.goto(f"{origin}/roadshows/{roadshow.pk}/")
            page.click("main a[data-link=meetings-console]")
            page.wait_for_url(re.compile(r".*/meetings/console/$"))

            # A block of 20-minute meetings at two tables, 14:00–15:00 Beijing time.
            page.fill("[data-block-form] input[name=starts_at]", f"{day}T14:00")
            page.fill("[data-block-form] input[name=ends_at]", f"{day}T15:00")
            page.fill("[data-block-form] input[name=slot_minutes]", "20")
            page.fill("[data-block-form] textarea[name=rooms]", "A1\nA2")
            page.click("[data-block-form] button[type=submit]")
            page.wait_for_selector("table[data-blocks]")

            page.click("[data-run-scheduler] button[type=submit]")
            page.wait_for_selector("table[data-grid] td.meeting-cell")
            assert Meeting.objects.filter(roadshow=roadshow).count() == 2

            # Move the first meeting to 14:40 at A2 with the form's selects (keyboard-usable).
            first = Meeting.objects.filter(roadshow=roadshow).order_by("starts_at", "room")[0]
            target = roadshow.meeting_blocks.get().starts_at + timedelta(minutes=40)
            form = page.locator(f"[data-console-meeting='{first.pk}'] form[data-move-form]")
            form.locator("select[name=slot]").select_option(target.isoformat())
            form.locator("select[name=room]").select_option("A2")
            form.locator("button[type=submit]").click()
            page.wait_for_load_state()
            first.refresh_from_db()
            assert (first.starts_at, first.room) == (target, "A2")

            page.click("[data-publish] button[type=submit]")
            page.wait_for_selector("[data-published]")
            assert MeetingSchedulePublication.objects.filter(roadshow=roadshow).exists()

            log_in(phone, origin, "enterprise", demo_password())
            phone.goto(f"{origin}/roadshows/{roadshow.pk}/my-schedule/")
            listed = phone.inner_text("table[data-my-schedule]")
            assert all(title in listed for title in titles)
            assert "A2" in listed and "14:40" in listed
            assert [w.problems(pg) for w, pg in zip(watches, (page, phone), strict=True)
                    ] == [[], []]
        finally:
            browser.close()
