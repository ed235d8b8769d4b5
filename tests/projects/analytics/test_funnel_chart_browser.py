"""The stage chart in a real browser: a logarithmic axis, so a handful of deals stays visible
beside hundreds of published listings (the demo data: over 100 listings, one deal)."""

from __future__ import annotations

import pytest

from marketplace.demo import demo_password
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in
from tests.marketplace.organizations.conftest import demo_live_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_stage_of_the_stage_chart_is_readable(demo_live_server, sync_playwright):  # noqa: F811
    origin = demo_live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            watch = PageWatch(context, origin)
            page = context.new_page()
            log_in(page, origin, "broker", demo_password())
            page.goto(f"{origin}/analytics/funnel/")
            page.wait_for_function("() => !!window.Chart")
            widths = page.evaluate(
                "() => { const chart = Chart.getChart(document.querySelector("
                "'#funnel-stages-chart')); const meta = chart.getDatasetMeta(0);"
                " return {type: chart.scales.x.type, counts: chart.data.datasets[0].data,"
                " widths: meta.data.map(b => Math.abs(b.x - b.base))}; }")
            assert widths["type"] == "logarithmic"
            assert widths["counts"][0] > 100
            listing_width = widths["widths"][0]
            for count, width in zip(widths["counts"], widths["widths"], strict=True):
                if count >= 1:  # 1 deal beside 100+ listings: still a fifth of their bar
                    assert width >= listing_width / 5 or width >= 20, widths
            assert watch.problems(page) == []
        finally:
            browser.close()
