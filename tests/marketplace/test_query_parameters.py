"""Query parameters are checked, never silently ignored: a query string that is not UTF-8 is a
400 (kernel.query_string), and so is an unknown value of a boolean or choice filter
(marketplace.filters)."""

from __future__ import annotations

import pytest

from kernel.query_string import invalid_parameters
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/search/?q=%ff",
        "/api/v1/research-results/?q=%C3%28",
        "/api/v1/organizations/?province=ok&q=%e5%8c",
        "/api/v1/search/suggest/?q=%80abc",
    ],
)
def test_invalid_utf8_in_a_query_parameter_answers_400_naming_it(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_encoding"
    assert list(body["fields"]) == ["q"]
    assert body["message"] == "Query parameters must be UTF-8 encoded."


def test_a_refused_query_string_is_answered_in_the_requests_language(client) -> None:
    refused = client.get("/api/v1/search/?q=%ff", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    chinese = refused.json()
    assert chinese["message"] == "查询参数必须使用 UTF-8 编码。"
    # Written as DRF writes the API's other answers: UTF-8 text, no spaces.
    assert refused.content.startswith('{"message":"查询参数'.encode())
    many = "&".join(["zz=1"] * 1001)
    too_many = client.get(f"/api/v1/search/?{many}", HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    assert too_many["message"] == "查询参数过多：最多 1000 个。"


def test_invalid_utf8_in_a_parameter_name_is_refused_too(client) -> None:
    response = client.get("/api/v1/search/?%ff=1")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_encoding"


def test_invalid_utf8_on_a_web_page_answers_the_400_page(client) -> None:
    response = client.get("/?q=%ff")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_valid_utf8_and_plus_signs_pass(client) -> None:
    assert client.get("/api/v1/search/?q=%E5%82%A8%E8%83%BD+battery").status_code == 200


def test_utf8_sent_unencoded_reads_the_same_and_links_to_the_next_page_correctly(client):
    from tests.bundled import reindex

    factories.ResearchResultFactory.create_batch(3, title="储能材料")
    reindex()
    raw = "q=储能&page_size=1".encode().decode("latin-1")  # as WSGI passes raw UTF-8 bytes
    unencoded = client.get("/api/v1/search/", QUERY_STRING=raw)
    encoded = client.get("/api/v1/search/", {"q": "储能", "page_size": 1})
    assert unencoded.status_code == encoded.status_code == 200
    assert unencoded.json()["count"] == encoded.json()["count"] >= 3
    assert "q=%E5%82%A8%E8%83%BD" in unencoded.json()["next"]
    assert unencoded.json()["next"] == encoded.json()["next"]


def test_invalid_parameters_names_only_the_bad_ones() -> None:
    assert invalid_parameters(b"a=1&b=%ff&c=%E5%82%A8&&d") == ["b"]
    assert invalid_parameters(b"") == []


@pytest.mark.parametrize("value", ["maybe", "yes", "2", "on", "TRUEISH"])
def test_unknown_boolean_filter_value_answers_400_naming_the_field(client, value) -> None:
    response = client.get("/api/v1/organizations/", {"verified": value})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert list(body["fields"]) == ["verified"]


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("False", False), ("1", True),
                                                  ("0", False)])
def test_boolean_filter_accepts_true_false_1_0(client, value, expected) -> None:
    verified = factories.OrganizationFactory(verified=True)
    unverified = factories.OrganizationFactory(verified=False)
    response = client.get("/api/v1/organizations/", {"verified": value, "page_size": 100})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert (verified.pk in ids) is expected and (unverified.pk in ids) is not expected


def test_empty_boolean_filter_means_no_filter(client) -> None:
    factories.OrganizationFactory(verified=True)
    factories.OrganizationFactory(verified=False)
    response = client.get("/api/v1/organizations/", {"verified": ""})
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/organizations/?kind=castle", "kind"),
        ("/api/v1/research-results/?stage=dream", "stage"),
        ("/api/v1/research-results/?transfer_mode=gift", "transfer_mode"),
        ("/api/v1/needs/?status=lost", "status"),
        ("/api/v1/search/?type=company", "type"),
    ],
)
def test_unknown_choice_filter_value_answers_400_naming_the_field(client, path, field) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_unknown_unread_value_of_notifications_answers_400(client) -> None:
    client.force_login(factories.researcher())
    assert client.get("/api/v1/notifications/", {"unread": "true"}).status_code == 200
    response = client.get("/api/v1/notifications/", {"unread": "perhaps"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["unread"]


def test_more_query_parameters_than_django_reads_answer_400_before_any_view(
    client, settings
) -> None:
    settings.DEBUG = True  # its error page read request.GET again in every middleware
    many = "&".join(["zz=1"] * 1001)
    page = client.get(f"/?q=%E5%82%A8%E8%83%BD&{many}")
    assert page.status_code == 400
    api = client.get(f"/api/v1/search/?{many}")
    assert api.status_code == 400
    assert api.json()["code"] == "too_many_parameters"
    assert api.json()["message"] == "Too many query parameters: at most 1000."
    assert client.get(f"/?{'&'.join(['zz=1'] * 1000)}").status_code == 200
