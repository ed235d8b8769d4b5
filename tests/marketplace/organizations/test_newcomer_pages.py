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
from django.utils import timezone

from marketplace import services
from marketplace.choices import OrganizationKind, Role
from marketplace.models import (
    Invitation,
    Membership,
    ResearchResult,
    TechnologyNeed,
)
from tests import factories
from tests.accounts.helpers import sign_up
from tests.marketplace.organizations.members_helpers import (
    SITE,
    invite,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db



@pytest.fixture(autouse=True)
def _chinese(settings):
    """Web pages are in settings.LANGUAGE_CODE unless the visitor switches; links in e-mails
    are under SITE_URL."""
    settings.LANGUAGE_CODE = "zh-hans"
    settings.SITE_URL = SITE


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


def test_directory_pages_by_thirty_a_page_past_the_end_shows_the_last_and_below_one_the_first():
    for n in range(31):
        factories.OrganizationFactory(legal_name=f"示例机构{n:02d}")
    first = _page(Client(), reverse("organization-list"))
    assert first.count('class="hit"') == 30 and "第 1 页" in first
    last = _page(Client(), reverse("organization-list") + "?page=99")
    assert last.count('class="hit"') == 1
    for below in ("0", "-1"):
        again_first = _page(Client(), reverse("organization-list") + f"?page={below}")
        assert again_first.count('class="hit"') == 30 and "第 1 页" in again_first
    # The pager's links keep the filters and nothing the page does not read.
    filtered = _page(Client(), reverse("organization-list") + "?q=示例机构&junk=" + "x" * 3000)
    pager = re.findall(r'href="(\?[^"]*page=[^"]*)"', filtered)
    assert pager == ["?q=%E7%A4%BA%E4%BE%8B%E6%9C%BA%E6%9E%84&amp;page=2"]


def test_directory_asks_about_verification_once_by_its_status():
    factories.OrganizationFactory(
        legal_name="河北示例钢铁集团", verified=True, verification_status="verified"
    )
    factories.OrganizationFactory(legal_name="河北示例农业大学")
    html = _page(Client(), reverse("organization-list") + "?verification_status=verified")
    assert 'name="verification_status"' in html and 'name="verified"' not in html
    assert "河北示例钢铁集团" in html and "河北示例农业大学" not in html
    # The API keeps its boolean filter.
    api = Client().get("/api/v1/organizations/?verified=true")
    assert [o["legal_name"] for o in api.json()["results"]] == ["河北示例钢铁集团"]


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


# --- listing for an organisation ----------------------------------------------------------------


def test_new_listing_page_of_a_user_without_an_organisation_points_to_one_instead_of_a_form():
    client = Client()
    client.force_login(factories.UserFactory())
    for kind in ("result", "need"):
        html = _page(client, reverse(f"{kind}-create"))
        assert "<form method=\"post\" novalidate>" not in html
        assert reverse("organization-create") in html and reverse("organization-list") in html
        response = client.post(reverse(f"{kind}-create"), {"title": "钢渣气淬"})
        assert response.status_code == 400  # refused: no organisation to list it
    assert not ResearchResult.objects.exists() and not TechnologyNeed.objects.exists()


def test_member_of_two_organisations_chooses_which_lists_a_new_result():
    first = factories.OrganizationFactory(legal_name="甲示例大学", verified=True)
    second = factories.OrganizationFactory(legal_name="乙示例研究院", verified=True)
    user = factories.researcher(organization=first)
    Membership.objects.create(user=user, organization=second, role=Role.RESEARCHER)
    stranger = factories.OrganizationFactory(legal_name="丙示例公司")
    client = Client()
    client.force_login(user)
    form = _page(client, reverse("result-create"))
    assert 'name="owner"' in form and "乙示例研究院" in form and "丙示例公司" not in form
    refused = client.post(reverse("result-create"), {"owner": stranger.pk, "title": "钢渣气淬"})
    assert refused.status_code == 400 and not ResearchResult.objects.exists()
    saved = client.post(reverse("result-create"), {"owner": second.pk, "title": "钢渣气淬"})
    assert saved.status_code == 302
    assert ResearchResult.objects.get().owner == second


def test_member_of_one_organisation_is_not_asked_which():
    client = Client()
    client.force_login(factories.researcher())
    assert 'name="owner"' not in _page(client, reverse("result-create"))


def test_dashboard_names_every_organisation_the_user_acts_for():
    first = factories.OrganizationFactory(legal_name="甲示例大学")
    second = factories.OrganizationFactory(legal_name="乙示例研究院")
    user = factories.researcher(organization=first)
    Membership.objects.create(user=user, organization=second, role=Role.RESEARCHER)
    client = Client()
    client.force_login(user)
    html = _page(client, reverse("dashboard"))
    for org in (first, second):
        assert reverse("organization-detail", args=[org.pk]) in html


# --- invitations to the account's own address ---------------------------------------------------


def test_invitation_page_signs_up_with_the_invited_address_filled_in(
    django_capture_on_commit_callbacks,
):
    organization, administrator = organization_with_administrator()
    _, token = invite(organization, administrator, "colleague@example.org",
                      django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    html = _page(Client(), reverse("invitation-accept", args=[token]))
    signup = re.search(r'href="(/accounts/signup/\?[^"]+)"', html)
    assert signup is not None
    form = _page(Client(), signup.group(1).replace("&amp;", "&"))
    assert 'value="colleague@example.org"' in form


def test_dashboard_lists_invitations_to_the_own_address_and_accepts_one(
    django_capture_on_commit_callbacks,
):
    organization, administrator = organization_with_administrator()
    invitation, _ = invite(organization, administrator, "Colleague@Example.org",
                           django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    other, _ = invite(organization, administrator, "someone-else@example.org",
                      django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    colleague = factories.UserFactory(email="colleague@example.org")
    client = Client()
    client.force_login(colleague)
    html = _page(client, reverse("dashboard"))
    assert reverse("invitation-accept-own", args=[invitation.pk]) in html
    assert reverse("invitation-accept-own", args=[other.pk]) not in html
    # another address's invitation cannot be accepted by its id
    assert client.post(reverse("invitation-accept-own", args=[other.pk])).status_code == 404
    accepted = client.post(reverse("invitation-accept-own", args=[invitation.pk]))
    assert accepted.status_code == 302
    assert Membership.objects.filter(user=colleague, organization=organization).exists()
    # accepted: no longer offered, and a second accept finds nothing
    assert reverse("invitation-accept-own", args=[invitation.pk]) not in _page(
        client, reverse("dashboard")
    )
    assert client.post(reverse("invitation-accept-own", args=[invitation.pk])).status_code == 404


def test_expired_invitations_are_not_offered_on_the_dashboard(django_capture_on_commit_callbacks):
    organization, administrator = organization_with_administrator()
    invitation, _ = invite(organization, administrator, "late@example.org",
                           django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    client = Client()
    client.force_login(factories.UserFactory(email="late@example.org"))
    assert reverse("invitation-accept-own", args=[invitation.pk]) not in _page(
        client, reverse("dashboard")
    )
    assert client.post(reverse("invitation-accept-own", args=[invitation.pk])).status_code == 404


def test_an_english_organisation_page_names_its_region_with_english_province_and_city():
    organization = factories.OrganizationFactory(
        province="河北", city="衡水", region_code="131182"
    )
    url = reverse("organization-detail", args=[organization.pk])
    english_client = Client()
    english_client.cookies["django_language"] = "en"  # the language switch's cookie
    english = english_client.get(url).content.decode()
    chinese = Client().get(url).content.decode()
    assert "深州市, Hengshui, Hebei" in english and "河北省衡水市深州市" not in english
    assert "河北省衡水市深州市" in chinese


def test_an_organisation_without_a_region_code_names_its_province_in_the_pages_language():
    organization = factories.OrganizationFactory(province="北京", city="", region_code="")
    url = reverse("organization-detail", args=[organization.pk])
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get(url).content.decode()
    assert "<dd>Beijing" in english and "<dd>北京" not in english
    assert "<dd>北京" in Client().get(url).content.decode()
