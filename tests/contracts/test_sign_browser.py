"""Real-browser test of signing what you see (Playwright driving Debian's chromium against
pytest-django's live server), in Chinese on a phone-sized screen: a party's member without a
name on record opens the signing page, is sent to record the name first and comes back, sees
the link to the PDF to sign and its SHA-256 (the PDF it opens has exactly that hash), types
the name on record and the password, and signs with the keyboard. Every page is watched for
CSP violations and script errors.

Skipped with a reason when chromium or the playwright package is missing, except under CI.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from contracts.models import AgreementSignature
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatch, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "演示用户·张工"


def test_a_party_sees_the_pdf_and_its_hash_and_signs_with_the_name_on_record(
    live_server, monkeypatch, settings, sync_playwright, frozen, enterprise_user
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.LANGUAGE_CODE = "zh-hans"  # the site's default language
    origin = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
            )
            watch = PageWatch(context, origin)
            page = context.new_page()
            log_in(page, origin, enterprise_user.username, PASSWORD)

            page.goto(f"{origin}/agreements/{frozen.pk}/sign/")
            page.wait_for_url(re.compile(r".*/accounts/name/\?next=.*"))
            page.fill("input[name=name]", NAME)
            page.click("main form button[type=submit]")
            page.wait_for_url(re.compile(rf".*/agreements/{frozen.pk}/sign/$"))

            assert page.locator(".sign-name-on-record").inner_text() == NAME
            shown = page.locator(".sign-preview-hash").inner_text().strip()
            assert re.fullmatch(r"[0-9a-f]{64}", shown)
            assert "签署" in page.locator("h1").inner_text()
            assert "您登记的姓名" in page.locator("main").inner_text()
            link = page.locator("a.sign-preview-link")
            assert link.is_visible()
            pdf = page.request.get(origin + link.get_attribute("href"))
            assert pdf.headers["content-type"] == "application/pdf"
            assert hashlib.sha256(pdf.body()).hexdigest() == shown

            page.fill("input[name=typed_name]", "演示用户· 张工")  # spacing is not the name
            page.fill("input[name=password]", PASSWORD)
            page.press("input[name=password]", "Enter")
            page.wait_for_url(re.compile(rf".*/agreements/{frozen.pk}/$"))

            problems = watch.problems(page)
        finally:
            browser.close()
    assert not problems, problems
    slot = AgreementSignature.objects.get(agreement=frozen, party="a")
    assert slot.signed_at is not None and slot.preview_sha256 == shown
