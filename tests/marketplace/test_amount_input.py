"""Listing amounts typed in the web forms and sent to the API are read as the importer reads
them (kernel.money.parse_amount): ``50万`` is 500000 CNY; what it refuses is a per-field error,
in the request's language. Output is unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from marketplace.models import ResearchResult, TechnologyNeed
from tests.factories import login

pytestmark = pytest.mark.django_db

RESULT = {
    "title": "高安全固态电解质制备技术",
    "summary": "一种氧化物固态电解质的低温烧结工艺。",
    "field": "new_materials",
    "transfer_modes": ["licence"],
}

NEED = {"title": "需求"}


def test_api_accepts_50wan_as_500000(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"), {**RESULT, "asking_price_cny": "50万"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["asking_price_cny"] == "500000.00"
    assert ResearchResult.objects.get().asking_price_cny == Decimal("500000")


def test_api_reads_units_separators_and_full_width_digits_in_needs(api_client, enterprise_user):
    api_client.force_authenticate(enterprise_user)
    response = api_client.post(
        reverse("api-need-list"),
        {"title": "需求", "budget_min_cny": "１，２００．５０元", "budget_max_cny": "1.2亿"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["budget_min_cny"], body["budget_max_cny"]) == ("1200.50", "120000000.00")
    need = TechnologyNeed.objects.get()
    assert need.budget_max_cny == Decimal("120000000")


def test_api_refuses_abc_with_a_per_field_400(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"),
        {**RESULT, "asking_price_cny": "abc"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == ["asking_price_cny"]
    assert body["fields"]["asking_price_cny"] == ["请输入人民币金额，例如 500000 或 50万。"]
    assert not ResearchResult.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter an amount in CNY, e.g. 500000 or 50万."),
        ("-5", "Amounts cannot be negative."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
        ("x" * 1001, "String value too large."),
    ],
)
def test_api_errors_per_field_in_english(api_client, enterprise_user, typed, message):
    api_client.force_authenticate(enterprise_user)
    response = api_client.post(
        reverse("api-need-list"), {"title": "需求", "budget_min_cny": typed}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"budget_min_cny": [message]}


def test_api_blank_and_null_amounts_are_none(api_client, researcher):
    api_client.force_authenticate(researcher)
    url = reverse("api-research-result-list")
    for blank in ("", None):
        response = api_client.post(url, {**RESULT, "asking_price_cny": blank}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["asking_price_cny"] is None


def test_api_still_takes_json_numbers(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        reverse("api-research-result-list"), {**RESULT, "asking_price_cny": 1234.5}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["asking_price_cny"] == "1234.50"


def test_form_accepts_50wan_as_500000(researcher):
    response = login(researcher).post(
        reverse("result-create"), {**RESULT, "asking_price_cny": "50万"}
    )
    assert response.status_code == 302
    assert ResearchResult.objects.get().asking_price_cny == Decimal("500000")


def test_need_form_accepts_units_and_keeps_the_budget_order_check(enterprise_user):
    client = login(enterprise_user)
    url = reverse("need-create")
    response = client.post(url, {**NEED, "budget_min_cny": "50万", "budget_max_cny": "10万"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["budget_max_cny"]
    response = client.post(url, {**NEED, "budget_min_cny": "10万", "budget_max_cny": "1.2亿"})
    assert response.status_code == 302
    need = TechnologyNeed.objects.get()
    assert (need.budget_min_cny, need.budget_max_cny) == (Decimal("100000"), Decimal("120000000"))


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter an amount in CNY, e.g. 500000 or 50万."),
        ("zh-hans", "请输入人民币金额，例如 500000 或 50万。"),
    ],
)
def test_form_refuses_abc_with_a_per_field_error_in_the_language_of_the_page(
    researcher, language, message
):
    client = login(researcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("result-create"), {**RESULT, "asking_price_cny": "abc"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"asking_price_cny": [message]}
    assert not ResearchResult.objects.exists()


def test_form_amount_inputs_are_text_inputs_showing_the_stored_amount(researcher, result):
    result.asking_price_cny = Decimal("500000.00")
    result.save()
    page = login(researcher).get(reverse("result-edit", kwargs={"pk": result.pk}))
    html = page.content.decode()
    assert 'type="text" name="asking_price_cny" value="500000.00"' in html
