"""Real-browser test of a new organisation's way in, end to end (Playwright driving Debian's
chromium against pytest-django's live server, with the demo data): a newcomer signs up and
verifies the address, registers a university with its business licence, and is held back
from publishing until the demo broker verifies it; the newcomer then submits a research
result, the broker approves it, the demo enterprise asks for an introduction to it, and the
newcomer finds the request on the dashboard and accepts it. Every page is watched for CSP
violations and script errors.

Skipped with a reason when chromium or the playwright package is missing, except under CI.
"""

from __future__ import annotations

import re

import pytest
from stdnum.cn import uscc

from marketplace.demo import demo_password
from marketplace.models import Organization, ResearchResult
from matching.models import MatchRequest
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in, sign_up_and_verify
from tests.marketplace.organizations.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"
LEGAL_NAME = "【演示】京津冀示例理工学院"
# A unified social credit code with a valid check character (GB 32100-2015), region 110108.
CREDIT_CODE = "12110108MB0K7Q2X3" + uscc.calc_check_digit("12110108MB0K7Q2X3")
TITLE = "【演示】钢渣余热气淬回收技术"
SUMMARY = "高温钢渣经气淬粒化，回收显热并得到可用作建材的玻璃态渣粒。"
MESSAGE = "我们是钢铁企业，希望洽谈钢渣余热回收合作。"


def _register_university(page, origin: str) -> int:
    page.goto(f"{origin}/organizations/new/")
    page.select_option("select[name=kind]", "university")
    page.fill("input[name=legal_name]", LEGAL_NAME)
    page.fill("input[name=credit_code]", CREDIT_CODE)
    page.fill("input[name=province]", "北京")
    page.fill("input[name=city]", "北京")
    page.fill("input[name=region_code]", "110108")
    page.fill("input[name=address]", "北京市海淀区示例路1号")
    page.set_input_files(
        "input[name=file]", {"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r".*/organizations/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _draft_result(page, origin: str) -> str:
    page.goto(f"{origin}/results/new/")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=field]", index=1)
    page.fill("input[name=province]", "北京")
    page.fill("textarea[name=summary]", SUMMARY)
    page.fill("input[name=keywords]", "钢渣, 气淬, 余热回收")
    page.fill("input[name=trl]", "6")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/results/\d+/$"))
    return page.url


def test_new_organisation_is_verified_publishes_after_review_and_receives_a_match_request(
    demo_live_server, sync_playwright, mailoutbox
):
    origin = demo_live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            contexts = [browser.new_context() for _ in range(3)]
            watches = [PageWatch(ctx, origin) for ctx in contexts]
            page, broker_page, enterprise_page = (ctx.new_page() for ctx in contexts)

            # A newcomer signs up, verifies the address and registers a university.
            sign_up_and_verify(
                page, origin, mailoutbox,
                username="newcomer", email="newcomer@example.org", password=PASSWORD,
            )
            log_in(page, origin, "newcomer@example.org", PASSWORD)
            org_pk = _register_university(page, origin)
            assert "waiting for a broker to verify it" in page.inner_text("main")

            # Drafting works; submitting is held back until the broker verifies.
            result_url = _draft_result(page, origin)
            held = page.locator("button[aria-describedby=held-submit]")
            assert held.is_disabled()

            # The demo broker verifies it from the verification queue.
            log_in(broker_page, origin, "broker", demo_password())
            broker_page.click("nav a[href='/organizations/review/']")
            broker_page.click(f"main a[href='/organizations/{org_pk}/']")
            broker_page.click(f"main form[action='/organizations/{org_pk}/verify/'] button")
            broker_page.wait_for_load_state()
            assert Organization.objects.get(pk=org_pk).verified

            # The newcomer submits the result; the broker approves it; it is public.
            page.goto(result_url)
            page.click("main form[action$='/submit/'] button")
            page.wait_for_load_state()
            broker_page.click("nav a[href='/moderation/']")
            assert TITLE in broker_page.inner_text("main")
            broker_page.click("main form[action$='/approve/'] button")
            broker_page.wait_for_load_state()
            result = ResearchResult.objects.get(title=TITLE)
            assert result.status == "published" and result.owner_id == org_pk

            # The demo enterprise asks for an introduction to it.
            log_in(enterprise_page, origin, "enterprise", demo_password())
            enterprise_page.goto(result_url)
            enterprise_page.click(f"main a[href='/results/{result.pk}/request/']")
            enterprise_page.fill("textarea[name=message]", MESSAGE)
            enterprise_page.click("main form button[type=submit]")
            enterprise_page.wait_for_url(re.compile(r".*/requests/\d+/$"))

            # The newcomer finds it on the dashboard and accepts it.
            page.goto(f"{origin}/dashboard/")
            page.click(f"main a:has-text('{TITLE}')")
            page.click("main form[action$='/accept/'] button")
            page.wait_for_load_state()
            assert MatchRequest.objects.get(research_result=result).status == "accepted"
            problems = [w.problems(pg) for w, pg in zip(
                watches, (page, broker_page, enterprise_page), strict=True)]
            assert problems == [[], [], []]
        finally:
            browser.close()
