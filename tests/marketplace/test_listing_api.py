"""Listings REST API: CRUD, workflow actions, filters, tokens, /me/, notifications and the one
error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import ListingStatus, OrganizationKind, Stage, TransferMode
from marketplace.models import Membership, Notification, ResearchResult, TechnologyNeed
from marketplace.notifications import notify
from tests import factories

pytestmark = pytest.mark.django_db


NEW_RESULT = {
    "title": "高安全固态电解质制备技术",
    "summary": "一种氧化物固态电解质的低温烧结工艺。",
    "field": "new_materials",
    "keywords": ["固态电解质", "烧结"],
    "ipc": ["H01M10/0562"],
    "trl": 5,
    "stage": "bench",
    "province": "北京",
    "city": "北京",
    "transfer_modes": ["licence", "assignment"],
    "asking_price_cny": "800000",
    "confidential_details": "烧结温度曲线（保密）",
}


def _org(user):
    return Membership.objects.get(user=user).organization


def _assert_error_shape(body: dict) -> None:  # type: ignore[type-arg]
    assert set(body) == {"message", "code", "fields"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)


# --- research results: CRUD ------------------------------------------------------------------


def test_researcher_creates_a_draft_result_for_their_organisation(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(reverse("api-research-result-list"), NEW_RESULT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["owner"] == {
        "id": _org(researcher).pk,
        "legal_name": _org(researcher).legal_name,
        "kind": OrganizationKind.UNIVERSITY,
    }
    assert body["asking_price_cny"] == "800000.00"
    assert body["ipc"] == ["H01M 10/0562"]
    assert body["field_label"] == "New materials"
    assert body["confidential_details"] == "烧结温度曲线（保密）"
    assert body["expires_at"] is None


def test_list_shows_published_results_with_pagination_and_money_as_strings(api_client):
    factories.ResearchResultFactory.create_batch(3, asking_price_cny="1234.5")
    factories.ResearchResultFactory(status=ListingStatus.DRAFT)
    response = api_client.get(reverse("api-research-result-list"), {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["results"][0]["asking_price_cny"] == "1234.50"
    assert "confidential_details" not in body["results"][0]
    assert body["results"][0]["expires_at"] is not None


def test_detail_of_a_draft_is_404_for_outsiders_and_visible_to_the_owner(api_client, researcher):
    draft = factories.ResearchResultFactory(owner=_org(researcher), status=ListingStatus.DRAFT)
    url = reverse("api-research-result-detail", args=[draft.pk])
    response = api_client.get(url)
    assert response.status_code == 404
    _assert_error_shape(response.json())
    assert response.json()["code"] == "not_found"
    api_client.force_authenticate(researcher)
    assert api_client.get(url).status_code == 200


def test_non_numeric_id_is_a_json_404(api_client):
    response = api_client.get("/api/v1/research-results/abc/")
    assert response.status_code == 404
    _assert_error_shape(response.json())


def test_owner_patches_a_result(api_client, researcher):
    result = factories.ResearchResultFactory(owner=_org(researcher), status=ListingStatus.DRAFT)
    api_client.force_authenticate(researcher)
    response = api_client.patch(
        reverse("api-research-result-detail", args=[result.pk]),
        {"trl": 7, "patent_no": "zl 2021 1 0123456.7"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["trl"] == 7
    assert response.json()["patent_no"] == "202110123456.7"


@pytest.mark.parametrize(
    ("language", "value", "says"),
    [
        ("en", "CN12345678A", "a publication number has CN, 9 digits and a kind code"),
        ("zh-hans", "CN116245100Q", "文献种类代码 Q 无效"),
        ("en", "ZL202110123456.8", "check character 8 does not match"),
    ],
)
def test_malformed_patent_number_is_400_saying_what_is_wrong_in_both_languages(
    api_client, researcher, language, value, says
):
    result = factories.ResearchResultFactory(owner=_org(researcher), status=ListingStatus.DRAFT)
    api_client.force_authenticate(researcher)
    response = api_client.patch(
        reverse("api-research-result-detail", args=[result.pk]),
        {"patent_no": value},
        format="json",
        headers={"Accept-Language": language},
    )
    assert response.status_code == 400
    _assert_error_shape(response.json())
    assert says in response.json()["fields"]["patent_no"][0]
    result.refresh_from_db()
    assert result.patent_no != value


def test_put_requires_the_title(api_client, researcher):
    result = factories.ResearchResultFactory(owner=_org(researcher), status=ListingStatus.DRAFT)
    api_client.force_authenticate(researcher)
    response = api_client.put(
        reverse("api-research-result-detail", args=[result.pk]), {"trl": 3}, format="json"
    )
    assert response.status_code == 400
    assert "title" in response.json()["fields"]


def test_bad_input_gives_400_with_per_field_messages(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"),
        {**NEW_RESULT, "trl": 12, "ipc": ["not-ipc"], "patent_no": "12345"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    _assert_error_shape(body)
    assert body["code"] == "invalid"
    assert {"trl", "ipc", "patent_no"} <= set(body["fields"])
    assert all(isinstance(m, str) for m in body["fields"]["trl"])
    assert ResearchResult.objects.count() == 0


def test_serializer_type_errors_come_out_in_the_same_shape(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"),
        {"title": "", "transfer_modes": ["sale"], "asking_price_cny": "abc"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    _assert_error_shape(body)
    assert {"title", "transfer_modes", "asking_price_cny"} <= set(body["fields"])


def test_budget_min_above_max_is_a_field_error(api_client, enterprise_user):
    api_client.force_authenticate(enterprise_user)
    response = api_client.post(
        reverse("api-need-list"),
        {"title": "需求", "budget_min_cny": "500000", "budget_max_cny": "1000"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["budget_max_cny"]


def test_cannot_create_for_an_organisation_one_is_not_member_of(api_client, researcher):
    other = factories.OrganizationFactory()
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"), {**NEW_RESULT, "owner": other.pk}, format="json"
    )
    assert response.status_code == 403
    _assert_error_shape(response.json())


def test_unknown_owner_id_is_a_field_error(api_client, broker):
    api_client.force_authenticate(broker)
    response = api_client.post(
        reverse("api-need-list"), {"title": "需求", "owner": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()["fields"]


# --- workflow actions ------------------------------------------------------------------------


def test_full_workflow_submit_approve_archive(api_client, researcher, broker):
    api_client.force_authenticate(researcher)
    created = api_client.post(reverse("api-research-result-list"), NEW_RESULT, format="json")
    pk = created.json()["id"]
    submitted = api_client.post(reverse("api-research-result-submit", args=[pk]))
    assert submitted.status_code == 200 and submitted.json()["status"] == "pending_review"
    assert api_client.post(reverse("api-research-result-approve", args=[pk])).status_code == 403

    api_client.force_authenticate(broker)
    approved = api_client.post(reverse("api-research-result-approve", args=[pk]))
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"
    assert approved.json()["published_at"] is not None
    again = api_client.post(reverse("api-research-result-approve", args=[pk]))
    assert again.status_code == 409
    _assert_error_shape(again.json())
    assert again.json()["code"] == "invalid_transition"

    api_client.force_authenticate(researcher)
    assert api_client.post(reverse("api-research-result-renew", args=[pk])).status_code == 200
    archived = api_client.post(reverse("api-research-result-archive", args=[pk]))
    assert archived.json()["status"] == "archived"


def test_submitting_an_incomplete_listing_lists_missing_fields(api_client, researcher):
    api_client.force_authenticate(researcher)
    pk = api_client.post(
        reverse("api-research-result-list"), {"title": "只有标题"}, format="json"
    ).json()["id"]
    response = api_client.post(reverse("api-research-result-submit", args=[pk]))
    assert response.status_code == 400
    body = response.json()
    _assert_error_shape(body)
    assert {"summary", "field", "keywords", "province", "trl"} <= set(body["fields"])
    assert body["code"] == "incomplete"
    assert body["message"] == "Complete the listing before submitting it for review."


def test_reject_requires_a_reason_and_stores_it(api_client, researcher, broker):
    result = factories.ResearchResultFactory(
        owner=_org(researcher), status=ListingStatus.PENDING_REVIEW
    )
    api_client.force_authenticate(broker)
    url = reverse("api-research-result-reject", args=[result.pk])
    missing = api_client.post(url, {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["fields"]
    assert missing.json()["code"] == "reason_required"
    response = api_client.post(url, {"reason": "请补充专利证明"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["rejection_reason"] == "请补充专利证明"
    assert Notification.objects.filter(recipient=researcher, verb="listing.rejected").exists()


def test_need_owner_closes_a_need(api_client, enterprise_user):
    need = factories.TechnologyNeedFactory(owner=_org(enterprise_user))
    api_client.force_authenticate(enterprise_user)
    response = api_client.post(reverse("api-need-close", args=[need.pk]))
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert api_client.post(reverse("api-need-close", args=[need.pk])).status_code == 409


def test_moderation_queue_lists_pending_listings_for_brokers(api_client, broker, researcher):
    pending = factories.ResearchResultFactory(status=ListingStatus.PENDING_REVIEW)
    factories.TechnologyNeedFactory(status=ListingStatus.PENDING_REVIEW)
    api_client.force_authenticate(broker)
    body = api_client.get(reverse("api-moderation-queue")).json()
    assert [item["id"] for item in body["research_results"]] == [pending.pk]
    assert len(body["needs"]) == 1
    api_client.force_authenticate(researcher)
    assert api_client.get(reverse("api-moderation-queue")).status_code == 403


# --- filters ---------------------------------------------------------------------------------


def test_result_filters(api_client):
    licence = factories.ResearchResultFactory(
        transfer_modes=[TransferMode.LICENCE], trl=7, stage=Stage.PILOT, province="天津",
        asking_price_cny="500000", title="钠离子电池正极材料",
    )
    factories.ResearchResultFactory(
        transfer_modes=[TransferMode.EQUITY], trl=3, stage=Stage.LAB, province="北京",
        asking_price_cny="5000000", title="钙钛矿光伏组件",
    )
    url = reverse("api-research-result-list")

    def ids(**params):
        response = api_client.get(url, params)
        assert response.status_code == 200, response.json()
        return [item["id"] for item in response.json()["results"]]

    assert ids(transfer_mode="licence") == [licence.pk]
    assert ids(trl_min=5) == [licence.pk]
    assert ids(trl_max=5) != [licence.pk]
    assert ids(stage="pilot") == [licence.pk]
    assert ids(province="天津") == [licence.pk]
    assert ids(price_max="600000") == [licence.pk]
    assert ids(q="钠离子") == [licence.pk]
    assert ids(owner=licence.owner_id) == [licence.pk]
    assert len(ids(transfer_mode=["licence", "equity"])) == 2


def test_need_filters_budget_overlap_and_cooperation_mode(api_client):
    small = factories.TechnologyNeedFactory(
        budget_min_cny="10000", budget_max_cny="50000",
        cooperation_modes=[TransferMode.TECHNICAL_SERVICE],
    )
    big = factories.TechnologyNeedFactory(budget_min_cny="1000000", budget_max_cny="3000000")
    url = reverse("api-need-list")
    assert [n["id"] for n in api_client.get(url, {"budget_min": "200000"}).json()["results"]] == [
        big.pk
    ]
    assert [n["id"] for n in api_client.get(url, {"budget_max": "60000"}).json()["results"]] == [
        small.pk
    ]
    by_mode = api_client.get(url, {"cooperation_mode": "technical_service"}).json()["results"]
    assert [n["id"] for n in by_mode] == [small.pk]
    assert by_mode[0]["budget_min_cny"] == "10000.00"


def test_status_filter_shows_own_drafts_only_to_the_owner(api_client, researcher):
    draft = factories.ResearchResultFactory(owner=_org(researcher), status=ListingStatus.DRAFT)
    factories.ResearchResultFactory(status=ListingStatus.DRAFT)
    url = reverse("api-research-result-list")
    assert api_client.get(url, {"status": "draft"}).json()["count"] == 0
    api_client.force_authenticate(researcher)
    assert [r["id"] for r in api_client.get(url, {"status": "draft"}).json()["results"]] == [
        draft.pk
    ]


def test_invalid_filter_value_is_a_400_in_the_error_shape(api_client):
    response = api_client.get(reverse("api-research-result-list"), {"stage": "moon"})
    assert response.status_code == 400
    _assert_error_shape(response.json())
    assert "stage" in response.json()["fields"]


def test_expired_need_is_not_listed(api_client):
    factories.TechnologyNeedFactory(deadline=timezone.localdate() - timedelta(days=1))
    assert api_client.get(reverse("api-need-list")).json()["count"] == 0


# --- organisations ---------------------------------------------------------------------------


def test_anyone_lists_organisations_without_contact_details(api_client):
    org = factories.OrganizationFactory(kind=OrganizationKind.ENTERPRISE)
    body = api_client.get(reverse("api-organization-list"), {"kind": "enterprise"}).json()
    assert [o["id"] for o in body["results"]] == [org.pk]
    assert "contact_email" not in body["results"][0]


def test_member_sees_contacts_but_only_administrators_update_their_organisation(
    api_client, researcher
):
    org = _org(researcher)
    api_client.force_authenticate(researcher)
    url = reverse("api-organization-detail", args=[org.pk])
    assert api_client.get(url).json()["contact_email"] == org.contact_email
    refused = api_client.patch(url, {"website": "https://www.example.com"}, format="json")
    assert refused.status_code == 403
    Membership.objects.filter(user=researcher, organization=org).update(is_administrator=True)
    api_client.force_authenticate(get_user_model().objects.get(pk=researcher.pk))  # afresh
    response = api_client.patch(url, {"website": "https://www.example.com"}, format="json")
    assert response.status_code == 200
    assert response.json()["website"] == "https://www.example.com"
    assert api_client.patch(url, {"region_code": "110103"}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "110103 was retired in 2010; use 110101 (东城区)."),
        ("zh-hans", "110103 已于 2010 年撤销；请使用 110101（东城区）。"),
    ],
)
def test_retired_region_code_of_an_organisation_is_400_naming_its_successor(
    api_client, researcher, language, message
):
    org = factories.administered_organization(researcher)
    api_client.force_authenticate(researcher)
    response = api_client.patch(
        reverse("api-organization-detail", args=[org.pk]),
        {"region_code": "110103"},
        format="json",
        headers={"Accept-Language": language},
    )
    assert response.status_code == 400
    _assert_error_shape(response.json())
    assert response.json()["fields"]["region_code"] == [message]


def test_signed_in_user_registers_an_organisation(api_client):
    user = factories.UserFactory()
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse("api-organization-list"),
        {"kind": "enterprise", "legal_name": "天津示例新材料有限公司", "region_code": "120000"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["verified"] is False
    assert Membership.objects.filter(user=user, organization_id=response.json()["id"]).exists()


def test_broker_verifies_an_organisation(api_client, broker):
    org = factories.OrganizationFactory()
    api_client.force_authenticate(broker)
    response = api_client.post(reverse("api-organization-verify", args=[org.pk]), {}, format="json")
    assert response.status_code == 200
    assert response.json()["verified"] is True


# --- auth, me, notifications -----------------------------------------------------------------


def test_token_obtained_with_password_authenticates_requests(api_client, researcher):
    response = api_client.post(
        reverse("api-auth-token"),
        {"username": researcher.username, "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(reverse("api-me")).json()
    assert me["user"]["username"] == researcher.username
    assert me["memberships"][0]["organization"]["id"] == _org(researcher).pk
    assert me["roles"] == {"roles": ["researcher"], "is_broker": False, "is_admin": False}


def test_wrong_password_gives_400_in_the_error_shape(api_client, researcher):
    response = api_client.post(
        reverse("api-auth-token"),
        {"username": researcher.username, "password": "wrong"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    _assert_error_shape(body)
    assert body["code"] == "authorization"


def test_me_requires_authentication(api_client):
    response = api_client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    _assert_error_shape(response.json())
    assert response.json()["code"] == "not_authenticated"


def test_notifications_are_own_and_can_be_marked_read(api_client, researcher, broker):
    notify(users=[researcher], verb="listing.approved",
           params={"listing": 1, "kind": "result", "title": "一"})
    notify(users=[researcher], verb="listing.approved",
           params={"listing": 2, "kind": "result", "title": "二"})
    notify(users=[broker], verb="listing.changed",
           params={"listing": 3, "kind": "need", "title": "三"})
    api_client.force_authenticate(researcher)
    url = reverse("api-notifications")
    body = api_client.get(url).json()
    assert body["count"] == 2
    first = body["results"][0]["id"]
    assert api_client.post(url, {"ids": [first]}, format="json").json() == {"marked": 1}
    assert api_client.get(url, {"unread": "1"}).json()["count"] == 1
    assert api_client.post(url, {"all": True}, format="json").json() == {"marked": 1}
    assert Notification.objects.filter(recipient=broker, read_at__isnull=True).count() == 1
    assert api_client.post(url, {}, format="json").status_code == 400


# --- languages -------------------------------------------------------------------------------


def test_errors_in_zh_hans_keep_the_shape(api_client):
    response = api_client.get(
        reverse("api-research-result-detail", args=[999999]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 404
    _assert_error_shape(response.json())
    assert response["Content-Language"] == "zh-hans"


def test_validation_errors_in_zh_hans_keep_the_shape(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-need-list"), {"title": "需求", "trl": 0}, format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    _assert_error_shape(response.json())
    assert "trl" in response.json()["fields"]
    assert TechnologyNeed.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "技术就绪度"), ("en", "technology readiness level")],
)
def test_field_errors_come_in_the_requested_language(api_client, researcher, language, expected):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-need-list"), {"title": "需求", "trl": 10}, format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert any(expected in message for message in response.json()["fields"]["trl"])


def test_budget_error_in_chinese_names_the_rule(api_client, enterprise_user):
    api_client.force_authenticate(enterprise_user)
    response = api_client.post(
        reverse("api-need-list"),
        {"title": "需求", "budget_min_cny": "500", "budget_max_cny": "100"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["budget_max_cny"] == ["最高预算不能低于最低预算。"]
