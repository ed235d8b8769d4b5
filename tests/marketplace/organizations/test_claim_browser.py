"""Real-browser test of sign-up and claim (Playwright driving Debian's chromium against
pytest-django's live server, with the demo data): a newcomer signs up through the web form,
follows the verification link of the mail (Django's locmem outbox), logs in, claims an imported
organisation with a PDF; the demo broker approves it in the claims queue; the newcomer then
sees the organisation as theirs. Every page is watched for CSP violations and script errors.

Skipped with a reason when chromium or the playwright package is missing, except under CI.
"""

from __future__ import annotations

import pytest

from marketplace.demo import demo_password
from marketplace.models import Membership, Organization
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in, sign_up_and_verify
from tests.marketplace.organizations.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"


def test_newcomer_signs_up_verifies_claims_an_imported_organisation_and_the_broker_approves(
    demo_live_server, sync_playwright, mailoutbox
):
    organization = (
        Organization.objects.filter(is_demo=False, researchresults__isnull=False)
        .distinct().order_by("pk").first()
    )
    assert organization is not None
    origin = demo_live_server.url
    org_url = f"{origin}/organizations/{organization.pk}/"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            newcomer_ctx, broker_ctx = browser.new_context(), browser.new_context()
            watches = [PageWatch(ctx, origin) for ctx in (newcomer_ctx, broker_ctx)]
            page = newcomer_ctx.new_page()

            # Sign up, then verify through the mailed link.
            sign_up_and_verify(
                page, origin, mailoutbox,
                username="newcomer", email="newcomer@example.org", password=PASSWORD,
            )
            assert len(mailoutbox) == 1

            # Log in and claim the imported organisation with a PDF.
            log_in(page, origin, "newcomer", PASSWORD)
            page.goto(org_url)
            assert page.locator(".mark-unclaimed").count() == 1
            page.click("#claim-organization")
            page.set_input_files(
                "input[name=file]",
                {"name": "授权书.pdf", "mimeType": "application/pdf", "buffer": PDF},
            )
            page.fill("textarea[name=message]", "科研处 技术转移办公室")
            page.click("main form button[type=submit]")
            page.wait_for_url(org_url)
            assert "a broker will check your evidence" in page.inner_text("main")

            # The demo broker approves it in the claims queue.
            broker_page = broker_ctx.new_page()
            log_in(broker_page, origin, "broker", demo_password())
            broker_page.click("nav a[href='/organizations/claims/']")
            assert organization.legal_name in broker_page.inner_text("main")
            broker_page.click("main form[action$='/approve/'] button[type=submit]")
            broker_page.wait_for_load_state()
            assert "No claim is waiting." in broker_page.inner_text("main")

            # The newcomer now sees the organisation as theirs.
            page.goto(f"{origin}/dashboard/")
            page.click(f"nav a[href='/organizations/{organization.pk}/']")
            assert page.locator(".mark-unclaimed").count() == 0
            assert page.inner_text("h1 .status") == "verified"
            assert "Requests to join" in page.inner_text("main")  # its administrator
            newcomer_watch, broker_watch = watches
            assert newcomer_watch.problems(page) + broker_watch.problems(broker_page) == []
        finally:
            browser.close()
    membership = Membership.objects.get(user__username="newcomer", organization=organization)
    assert membership.is_administrator
