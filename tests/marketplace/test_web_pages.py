"""Listing web pages: details with the right buttons and confidential parts, create
and edit forms calling the services, owner actions, the brokers' moderation queue, the
language switch and the phone-sized layout basics."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from marketplace.choices import ListingStatus
from marketplace.models import ResearchResult, TechnologyNeed
from tests import factories
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(university):
    return factories.ResearchResultFactory(
        owner=university,
        source_url="https://example.com/source/1",
        keywords=["储能", "热管理"],
    )


# --- details -------------------------------------------------------------------------------


def test_result_detail_shows_public_fields_chips_and_source_to_anonymous(result):
    response = Client().get(reverse("result-detail", kwargs={"pk": result.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert result.title in html
    assert '<li class="chip">储能</li>' in html
    assert "https://example.com/source/1" in html
    assert "Source" in html
    assert "View matches" in html
    assert 'name="viewport"' in html
    # Confidential text is for the owner's members and brokers only.
    assert "内部工艺参数" not in html


def test_confidential_details_are_shown_to_owner_members_and_brokers_only(
    result, researcher, enterprise_user, broker
):
    url = reverse("result-detail", kwargs={"pk": result.pk})
    assert "内部工艺参数" in login(researcher).get(url).content.decode()
    assert "内部工艺参数" in login(broker).get(url).content.decode()
    assert "内部工艺参数" not in login(enterprise_user).get(url).content.decode()


def test_result_page_offers_request_introduction_to_enterprises_and_owner_actions_to_owners(
    result, researcher, enterprise_user
):
    url = reverse("result-detail", kwargs={"pk": result.pk})
    as_enterprise = login(enterprise_user).get(url).content.decode()
    assert reverse("match-request-create", kwargs={"pk": result.pk}) in as_enterprise
    assert reverse("result-edit", kwargs={"pk": result.pk}) not in as_enterprise
    as_owner = login(researcher).get(url).content.decode()
    assert reverse("match-request-create", kwargs={"pk": result.pk}) not in as_owner
    assert reverse("result-edit", kwargs={"pk": result.pk}) in as_owner
    assert reverse("result-action", kwargs={"pk": result.pk, "action": "renew"}) in as_owner
    assert reverse("result-action", kwargs={"pk": result.pk, "action": "archive"}) in as_owner


def test_need_page_offers_researchers_to_propose_a_result(need, researcher, enterprise_user):
    url = reverse("need-detail", kwargs={"pk": need.pk})
    as_researcher = login(researcher).get(url).content.decode()
    assert reverse("match-request-propose", kwargs={"pk": need.pk}) in as_researcher
    as_owner = login(enterprise_user).get(url).content.decode()
    assert reverse("need-action", kwargs={"pk": need.pk, "action": "close"}) in as_owner
    assert "预算审批文件" in as_owner
    assert "¥100,000.00" in as_owner or "¥100000.00" in as_owner


def test_draft_listing_is_404_for_outsiders_and_visible_to_its_owner(
    university, researcher, enterprise_user
):
    draft = factories.ResearchResultFactory(owner=university, status=ListingStatus.DRAFT)
    url = reverse("result-detail", kwargs={"pk": draft.pk})
    assert Client().get(url).status_code == 404
    assert login(enterprise_user).get(url).status_code == 404
    page = login(researcher).get(url)
    assert page.status_code == 200
    assert reverse("result-action", kwargs={"pk": draft.pk, "action": "submit"}) in (
        page.content.decode()
    )


def test_user_text_is_escaped_on_detail_pages(university):
    listing = factories.ResearchResultFactory(
        owner=university, title="<script>alert(1)</script>", keywords=["<b>x</b>"]
    )
    html = Client().get(reverse("result-detail", kwargs={"pk": listing.pk})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html


# --- create and edit -------------------------------------------------------------------------


def test_create_pages_require_login():
    response = Client().get(reverse("result-create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_researcher_creates_a_draft_result_through_the_form(researcher, university):
    client = login(researcher)
    assert client.get(reverse("result-create")).status_code == 200
    response = client.post(
        reverse("result-create"),
        {
            "title": "钠离子电池正极材料",
            "field": "new_energy",
            "summary": "低成本钠离子电池正极材料的制备方法。",
            "keywords": "钠离子电池，正极材料、储能",
            "ipc": "h01m4/36",
            "trl": "5",
            "transfer_modes": ["licence", "assignment"],
            "asking_price_cny": "300000.00",
            "province": "北京",
        },
    )
    created = ResearchResult.objects.get(title="钠离子电池正极材料")
    assert response.status_code == 302
    assert response["Location"] == reverse("result-detail", kwargs={"pk": created.pk})
    assert created.status == ListingStatus.DRAFT
    assert created.owner == university
    assert created.keywords == ["钠离子电池", "正极材料", "储能"]
    assert created.ipc == ["H01M 4/36"]
    assert set(created.transfer_modes) == {"licence", "assignment"}


def test_invalid_form_input_shows_errors_per_field(researcher):
    response = login(researcher).post(
        reverse("result-create"),
        {"title": "", "trl": "15", "ipc": "not-a-symbol", "patent_no": "123"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"title", "trl", "ipc", "patent_no"}
    assert "technology readiness level from 1 to 9" in response.content.decode()
    assert not ResearchResult.objects.exists()


def test_need_budget_order_is_checked_on_the_form(enterprise_user):
    response = login(enterprise_user).post(
        reverse("need-create"),
        {"title": "废水处理", "budget_min_cny": "500000", "budget_max_cny": "100000"},
    )
    assert response.status_code == 400
    assert "budget_max_cny" in response.context["form"].errors
    assert not TechnologyNeed.objects.filter(title="废水处理").exists()


def test_owner_edits_a_listing_and_others_get_403(result, researcher, enterprise_user):
    url = reverse("result-edit", kwargs={"pk": result.pk})
    assert login(enterprise_user).get(url).status_code == 403
    client = login(researcher)
    page = client.get(url)
    assert page.status_code == 200
    assert "储能, 热管理" in page.content.decode()  # keywords shown as one line
    data = {
        "title": "新标题",
        "field": result.field,
        "summary": result.summary,
        "keywords": "储能",
        "trl": "7",
        "province": "北京",
    }
    assert login(enterprise_user).post(url, data).status_code == 403
    response = client.post(url, data)
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.title == "新标题"
    assert result.trl == 7


def test_owner_editing_a_published_listing_on_the_web_sends_it_back_to_review(
    result, researcher
):
    data = {
        "title": "改过的标题",
        "field": result.field,
        "summary": result.summary,
        "keywords": "储能",
        "trl": "6",
        "province": "北京",
    }
    response = login(researcher).post(
        reverse("result-edit", kwargs={"pk": result.pk}), data, follow=True
    )
    result.refresh_from_db()
    assert result.status == ListingStatus.PENDING_REVIEW
    assert "out of search until it is approved again" in response.content.decode()


def test_owner_submits_a_complete_draft_and_is_told_what_is_missing_otherwise(
    university, researcher
):
    complete = factories.ResearchResultFactory(owner=university, status=ListingStatus.DRAFT)
    incomplete = factories.ResearchResultFactory(
        owner=university, status=ListingStatus.DRAFT, keywords=[], trl=None
    )
    client = login(researcher)
    url = reverse("result-action", kwargs={"pk": complete.pk, "action": "submit"})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    complete.refresh_from_db()
    assert complete.status == ListingStatus.PENDING_REVIEW
    response = client.post(
        reverse("result-action", kwargs={"pk": incomplete.pk, "action": "submit"}), follow=True
    )
    incomplete.refresh_from_db()
    assert incomplete.status == ListingStatus.DRAFT
    assert "Missing:" in response.content.decode()


def test_need_owner_closes_a_published_need(need, enterprise_user, researcher):
    url = reverse("need-action", kwargs={"pk": need.pk, "action": "close"})
    assert login(researcher).post(url).status_code == 403
    login(enterprise_user).post(url)
    need.refresh_from_db()
    assert need.status == ListingStatus.CLOSED


# --- moderation ------------------------------------------------------------------------------


@pytest.fixture
def pending(university):
    return factories.ResearchResultFactory(
        owner=university, status=ListingStatus.PENDING_REVIEW, title="待审核成果"
    )


def test_moderation_queue_is_for_brokers_only(pending, broker, researcher):
    url = reverse("moderation-queue")
    assert Client().get(url).status_code == 302
    assert login(researcher).get(url).status_code == 403
    page = login(broker).get(url)
    assert page.status_code == 200
    assert "待审核成果" in page.content.decode()


def test_broker_approves_a_listing_from_the_queue(pending, broker, researcher):
    url = reverse(
        "moderation-decide", kwargs={"kind": "result", "pk": pending.pk, "decision": "approve"}
    )
    assert login(researcher).post(url).status_code == 403
    response = login(broker).post(url, follow=True)
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == ListingStatus.PUBLISHED
    assert "待审核成果" not in response.content.decode().split("Moderation queue", 2)[-1]


def test_broker_rejects_with_a_reason_and_the_owner_sees_it(pending, broker, researcher):
    url = reverse(
        "moderation-decide", kwargs={"kind": "result", "pk": pending.pk, "decision": "reject"}
    )
    client = login(broker)
    client.post(url, {"reason": ""})
    pending.refresh_from_db()
    assert pending.status == ListingStatus.PENDING_REVIEW  # a reason is required
    client.post(url, {"reason": "请补充技术指标"})
    pending.refresh_from_db()
    assert pending.status == ListingStatus.DRAFT
    assert pending.rejection_reason == "请补充技术指标"
    page = login(researcher).get(reverse("result-detail", kwargs={"pk": pending.pk}))
    assert "请补充技术指标" in page.content.decode()


# --- language and layout ---------------------------------------------------------------------


def test_language_switch_to_english_changes_a_page_label(settings, result):
    settings.LANGUAGE_CODE = "zh-hans"
    client = Client()
    url = reverse("result-detail", kwargs={"pk": result.pk})
    chinese = client.get(url).content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "登录" in chinese
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    english = client.get(url).content.decode()
    assert '<html lang="en">' in english
    assert "Log in" in english
    assert "登录" not in english


def test_pages_use_the_local_stylesheet_and_a_language_form_with_csrf(result):
    html = Client().get(reverse("result-detail", kwargs={"pk": result.pk})).content.decode()
    assert "/static/css/keqiao.css" in html
    assert "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]
    assert 'action="/i18n/setlang/"' in html
    assert "csrfmiddlewaretoken" in html


def test_login_page_renders_and_logs_in(researcher):
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"login": researcher.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


# --- language-aware display: titles, punctuation, lists, money --------------------------------


def _chinese_client() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_language_switch_names_each_language_in_its_own_language(result):
    url = reverse("result-detail", kwargs={"pk": result.pk})
    chinese = _chinese_client().get(url).content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert ">English</button>" in chinese
    assert "英语" not in chinese
    english = Client().get(url).content.decode()
    assert ">简体中文</button>" in english


def test_english_pages_show_the_english_title_with_the_chinese_title_below(university):
    listing = factories.ResearchResultFactory(
        owner=university, title="无人机机载多功能箱", title_en="UAV onboard multifunction box"
    )
    url = reverse("result-detail", kwargs={"pk": listing.pk})
    english = Client().get(url).content.decode()
    assert "<h1>UAV onboard multifunction box</h1>" in english
    assert 'lang="zh-Hans">无人机机载多功能箱</p>' in english
    chinese = _chinese_client().get(url).content.decode()
    assert "<h1>无人机机载多功能箱</h1>" in chinese
    assert 'lang="en">UAV onboard multifunction box</p>' in chinese


def test_listing_without_an_english_title_shows_the_chinese_title_on_english_pages(result):
    html = Client().get(reverse("result-detail", kwargs={"pk": result.pk})).content.decode()
    assert f"<h1>{result.title}</h1>" in html


def test_lists_are_joined_with_the_enumeration_comma_in_chinese_and_commas_in_english(
    university,
):
    listing = factories.ResearchResultFactory(
        owner=university, transfer_modes=["joint_development", "licence"]
    )
    url = reverse("result-detail", kwargs={"pk": listing.pk})
    assert "合作开发、许可" in _chinese_client().get(url).content.decode()
    assert "Joint development, Licence" in Client().get(url).content.decode()


def test_chinese_pages_use_full_width_colons_and_brackets(result, researcher):
    client = _chinese_client()
    detail = client.get(reverse("result-detail", kwargs={"pk": result.pk})).content.decode()
    assert "来源：" in detail and "来源:" not in detail
    dashboard = login(researcher)
    dashboard.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = dashboard.get(reverse("dashboard")).content.decode()
    assert "（1）" in html and "(1)" not in html
    english = login(researcher).get(reverse("dashboard")).content.decode()
    assert "(1)" in english


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_is_shown_in_cny_with_grouping_and_two_decimals_in_every_language(
    language, enterprise
):
    need = factories.TechnologyNeedFactory(
        owner=enterprise,
        budget_min_cny=Decimal("100000.00"),
        budget_max_cny=Decimal("500000.00"),
    )
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("need-detail", kwargs={"pk": need.pk})).content.decode()
    assert "¥100,000.00 – ¥500,000.00" in html


# --- error pages -----------------------------------------------------------------------------


def test_forbidden_page_is_translated_and_uses_the_site_layout(result, enterprise_user):
    client = login(enterprise_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("result-edit", kwargs={"pk": result.pk}))
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html
    assert "Forbidden" not in html
    assert "/static/css/keqiao.css" in html
    english = login(enterprise_user).get(reverse("result-edit", kwargs={"pk": result.pk}))
    assert "Access denied" in english.content.decode()


def test_unknown_page_is_a_translated_404_with_the_site_layout(db):
    response = _chinese_client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "/static/css/keqiao.css" in html


def test_server_error_page_renders_without_a_request_and_is_bilingual():
    html = loader.get_template("500.html").render()
    assert "服务器出错了" in html and "Server error" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()


def test_a_listing_address_trimmed_to_its_type_goes_to_the_search_page_of_that_type(client):
    assert client.get("/results/")["Location"] == "/?kind=result"
    assert client.get("/needs/")["Location"] == "/?kind=need"
    assert client.get("/needs/", {"q": "储能", "kind": "result"})["Location"] == (
        "/?q=%E5%82%A8%E8%83%BD&kind=need"
    )
    # A hand-made address too long for a link: the type alone (not Django's refusal).
    assert client.get("/needs/", {"q": "储" * 3000})["Location"] == "/?kind=need"
