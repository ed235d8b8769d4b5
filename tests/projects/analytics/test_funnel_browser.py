"""The deal funnel page in a real browser (Playwright + Debian's chromium) on the demo data:
the demo broker opens it from the main navigation, both Chart.js charts draw (no CSP
violation, no script error), the filter form works from the keyboard, and on a phone-sized
screen nothing is wider than the screen."""

from __future__ import annotations

import pytest

from contracts.demo import ENTERPRISE
from marketplace.demo import demo_password
from marketplace.models import Organization
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in
from tests.marketplace.organizations.conftest import demo_live_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("#funnel-stages-chart", "#funnel-medians-chart")


def _charts_drawn(page) -> bool:
    return all(page.evaluate(
        "(selector) => { const c = document.querySelector(selector);"
        " return !!(window.Chart && window.Chart.getChart(c)) && c.width > 0; }", selector)
        for selector in CHARTS)


def test_broker_filters_the_funnel_from_the_keyboard_and_the_charts_draw(
    demo_live_server, sync_playwright  # noqa: F811
):
    origin = demo_live_server.url
    enterprise = Organization.objects.get(legal_name=ENTERPRISE)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            watch = PageWatch(context, origin)
            page = context.new_page()
            log_in(page, origin, "broker", demo_password())
            page.click("nav a[href='/analytics/funnel/']")
            page.wait_for_function("() => !!window.Chart")
            assert _charts_drawn(page)

            # Keyboard only: choose the demo enterprise and apply.
            page.focus("select[name=organization]")
            page.select_option("select[name=organization]", str(enterprise.pk))
            page.focus("form.funnel-filters button[type=submit]")
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/analytics/funnel/?*organization={enterprise.pk}*")
            page.wait_for_function("() => !!window.Chart")
            table = page.inner_text("#funnel-stages-table")
            assert "200,000.00" in page.inner_text(".funnel-summary")  # thousands separators
            assert table
            assert _charts_drawn(page)
            assert watch.problems(page) == []

            # A phone: the page fits its width; the charts still draw.
            phone = browser.new_context(viewport={"width": 375, "height": 740},
                                        is_mobile=True)
            phone_watch = PageWatch(phone, origin)
            mobile = phone.new_page()
            log_in(mobile, origin, "broker", demo_password())
            mobile.goto(f"{origin}/analytics/funnel/?organization={enterprise.pk}")
            mobile.wait_for_function("() => !!window.Chart")
            assert _charts_drawn(mobile)
            assert mobile.evaluate(
                "() => document.documentElement.scrollWidth <= window.innerWidth + 1")
            assert phone_watch.problems(mobile) == []
        finally:
            browser.close()
