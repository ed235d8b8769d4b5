"""What a newcomer reads on the way in: a directory to find their organisation, a dashboard
that says to act for an organisation first, the "not verified yet" notice once per page, and
account pages and e-mails wholly in the active language."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from marketplace import services
from marketplace.choices import OrganizationKind
from tests import factories
from tests.accounts.helpers import sign_up

pytestmark = pytest.mark.django_db



@pytest.fixture(autouse=True)
def _chinese(settings):
    """Web pages are in settings.LANGUAGE_CODE unless the visitor switches."""
    settings.LANGUAGE_CODE = "zh-hans"


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_directory_finds_an_organisation_by_name_and_marks_the_unclaimed_ones():
    claimed = factories.OrganizationFactory(legal_name="河北示例钢铁集团", verified=True)
    factories.researcher(organization=claimed)
    unclaimed = factories.OrganizationFactory(legal_name="河北示例农业大学")
    factories.OrganizationFactory(legal_name="天津示例研究院")
    html = _page(Client(), reverse("organization-list") + "?q=河北示例")
    assert reverse("organization-detail", args=[claimed.pk]) in html
    assert reverse("organization-detail", args=[unclaimed.pk]) in html
    assert "天津示例研究院" not in html
    assert "共 2 个机构" in html
    # one unclaimed mark (the unclaimed university), one verified mark (the steel group)
    assert html.count('class="mark-unclaimed"') == 1
    assert html.count('class="status published"') == 1


def test_directory_pages_by_thirty_and_an_out_of_range_page_shows_the_last():
    for n in range(31):
        factories.OrganizationFactory(legal_name=f"示例机构{n:02d}")
    first = _page(Client(), reverse("organization-list"))
    assert first.count('class="hit"') == 30 and "第 1 页" in first
    last = _page(Client(), reverse("organization-list") + "?page=99")
    assert last.count('class="hit"') == 1


def test_directory_shows_an_invalid_filter_on_the_form_instead_of_failing():
    factories.OrganizationFactory()
    html = _page(Client(), reverse("organization-list") + "?kind=planet")
    assert 'class="errorlist"' in html and 'class="hit"' not in html


def test_dashboard_without_an_organisation_offers_registering_or_finding_one_not_listing():
    client = Client()
    client.force_login(factories.UserFactory())
    html = _page(client, reverse("dashboard"))
    assert reverse("organization-create") in html and reverse("organization-list") in html
    assert reverse("result-create") not in html and reverse("need-create") not in html


def test_dashboard_of_a_member_offers_new_listings():
    client = Client()
    client.force_login(factories.researcher())
    html = _page(client, reverse("dashboard"))
    assert reverse("result-create") in html


def test_own_unverified_organisation_page_gives_the_notice_once_other_pages_in_the_banner():
    user = factories.UserFactory()
    org = services.organization_create(
        actor=user,
        data={"kind": OrganizationKind.ENTERPRISE, "legal_name": "天津示例新材料有限公司",
              "region_code": "120000"},
    )
    client = Client()
    client.force_login(user)
    notice = 'class="banner warning"'
    assert _page(client, reverse("organization-detail", args=[org.pk])).count(notice) == 1
    assert _page(client, reverse("dashboard")).count(notice) == 1


def test_login_field_asks_for_a_username_or_an_email_address():
    html = _page(Client(), reverse("login"))
    field = re.search(r'<input[^>]*name="login"[^>]*>', html)
    assert field is not None
    assert 'autocomplete="username"' in field.group(0)
    assert '<label for="id_login">用户名或电子邮件地址</label>' in html


def test_signup_page_title_is_one_line_and_its_text_uses_chinese_punctuation():
    html = _page(Client(), reverse("account_signup"))
    assert "<title>注册 · 科桥</title>" in html
    assert "</a>." not in html  # allauth's own page ends a Chinese sentence with "."
    assert reverse("login") in html


def test_verification_email_in_chinese_has_no_english_greeting_or_email_word(mailoutbox):
    client = Client()
    assert sign_up(client).status_code == 302
    (mail,) = mailoutbox
    assert "电子邮件" in mail.subject and "Email" not in mail.subject
    assert "Hello" not in mail.body and "Email" not in mail.body
    assert mail.body.startswith("您好！")


def test_load_demo_reports_in_the_active_language(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    report = out.getvalue()
    assert "科技成果：新建" in report and "演示用户：" in report and "演示路演：" in report
    assert not re.search(r"\b(created|updated|Demo users|Demo roadshow)\b", report), report
