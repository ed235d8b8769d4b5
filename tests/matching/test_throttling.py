"""Rate limits (kernel.api.throttling) on match requests, messages, search and suggest:
per user and per IP address, 429 in the error shape with Retry-After, the same budget for
the API and the web forms, counters shared through the store every worker uses."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kernel.api.throttle_store import CounterStore
from marketplace import roles
from tests import factories
from tests.factories import login

pytestmark = pytest.mark.django_db

MATCH_REQUESTS = "/api/v1/match-requests/"
SEARCH = "/api/v1/search/"


@pytest.fixture
def low_rates(settings):
    settings.THROTTLE_RATES = {
        "match_request": "2/hour",
        "match_request_ip": "3/hour",
        "message": "2/hour",
        "message_ip": "100/hour",
        "search": "2/min",
        "search_ip": "3/min",
        "suggest": "2/min",
        "suggest_ip": "100/min",
    }


@pytest.fixture
def result(researcher):
    return factories.ResearchResultFactory(owner=roles.primary_organization(researcher))


def _as(user, ip: str = "10.1.1.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    client.force_authenticate(user)
    return client


def _request_introduction(client: APIClient, result) -> int:
    body = {"research_result": result.pk, "message": "请求对接"}
    return client.post(MATCH_REQUESTS, body, format="json").status_code


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == "throttled" and body["fields"] == {}
    assert int(response["Retry-After"]) > 0
    assert "throttled" in body["message"]


def test_match_requests_over_the_user_rate_answer_429_with_retry_after(
    low_rates, enterprise_user, result
):
    client = _as(enterprise_user)
    assert _request_introduction(client, result) == 201
    assert _request_introduction(client, result) == 409  # still counted: every attempt is
    response = client.post(
        MATCH_REQUESTS, {"research_result": result.pk, "message": "x"}, format="json"
    )
    _assert_throttled(response)
    assert client.get(MATCH_REQUESTS).status_code == 200  # reading is not limited


def test_the_user_rate_follows_the_user_to_another_address(low_rates, enterprise_user, result):
    _request_introduction(_as(enterprise_user, "10.1.1.1"), result)
    _request_introduction(_as(enterprise_user, "10.1.1.2"), result)
    assert _request_introduction(_as(enterprise_user, "10.1.1.3"), result) == 429


def test_the_address_rate_covers_many_accounts(low_rates, result):
    users = [factories.enterprise_member() for _ in range(3)]
    assert _request_introduction(_as(users[0]), result) == 201
    assert _request_introduction(_as(users[1]), result) == 201
    assert _request_introduction(_as(users[2]), result) == 201
    fourth = factories.enterprise_member()
    assert _request_introduction(_as(fourth), result) == 429
    assert _request_introduction(_as(fourth, "10.2.2.2"), result) == 201


def test_throttle_message_is_translated(low_rates, enterprise_user, result):
    client = _as(enterprise_user)
    for _ in range(2):
        _request_introduction(client, result)
    response = client.post(
        MATCH_REQUESTS, {"research_result": result.pk, "message": "x"}, format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 429
    assert "请求已被限流" in response.json()["message"]


def test_messages_in_a_thread_are_limited_per_user(low_rates, enterprise_user, researcher, result):
    client = _as(enterprise_user)
    pk = client.post(
        MATCH_REQUESTS, {"research_result": result.pk, "message": "请求对接"}, format="json"
    ).json()["id"]
    _as(researcher).post(reverse("api-match-request-accept", kwargs={"pk": pk}))
    messages = reverse("api-match-request-messages", kwargs={"pk": pk})
    assert client.post(messages, {"body": "一"}, format="json").status_code == 201
    assert client.post(messages, {"body": "二"}, format="json").status_code == 201
    _assert_throttled(client.post(messages, {"body": "三"}, format="json"))
    assert client.get(messages).status_code == 200


def test_anonymous_search_is_limited_per_address_and_a_forged_forwarded_for_does_not_help(
    low_rates,
):
    client = APIClient(REMOTE_ADDR="10.3.3.3")
    assert client.get(SEARCH, {"q": "储能"}, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(SEARCH, {"q": "储能"}, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 200
    _assert_throttled(client.get(SEARCH, {"q": "储能"}, HTTP_X_FORWARDED_FOR="3.3.3.3"))
    assert APIClient(REMOTE_ADDR="10.3.3.4").get(SEARCH, {"q": "储能"}).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(low_rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="127.0.0.1")
    for _ in range(2):
        assert proxy.get(SEARCH, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    assert proxy.get(SEARCH, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert proxy.get(SEARCH, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_suggest_is_limited(low_rates):
    client = APIClient()
    for _ in range(2):
        assert client.get("/api/v1/search/suggest/", {"q": "储"}).status_code == 200
    _assert_throttled(client.get("/api/v1/search/suggest/", {"q": "储"}))


def test_counters_live_in_the_shared_store(low_rates, settings):
    APIClient(REMOTE_ADDR="10.4.4.4").get(SEARCH)
    store = Path(settings.THROTTLE_DIR)
    assert (store / "cache.db").is_file(), "the counter was written to the shared SQLite store"
    # A second process (another worker) sees the same count: a fresh store object on the
    # same directory refuses the third call of the per-user window.
    fresh = CounterStore(settings.THROTTLE_DIR)
    key = "throttle_search_ip-10.4.4.4"
    assert fresh.hit(key, now=time.time(), duration=60, limit=2).allowed
    assert not fresh.hit(key, now=time.time(), duration=60, limit=2).allowed


# --- web forms --------------------------------------------------------------------------------


def test_web_search_over_the_rate_shows_a_429_page_with_the_message(low_rates):
    client = login(factories.enterprise_member())
    for _ in range(2):
        assert client.get(reverse("home"), {"q": "储能"}).status_code == 200
    response = client.get(reverse("home"), {"q": "储能"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Request was throttled." in response.content.decode()
    # Under a minute the page names the seconds of Retry-After, else whole minutes.
    seconds = int(response["Retry-After"])
    if seconds < 60:
        unit = "second" if seconds == 1 else "seconds"
        assert f"Please try again in {seconds} {unit}." in response.content.decode()
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from kernel.api.throttling import throttled_page

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    for wait, text in ((13.2, "in 14 seconds."), (60, "in 1 minute."), (61, "in 2 minutes.")):
        page = throttled_page(request, wait)
        assert text in page.content.decode() and page["Retry-After"] == str(math.ceil(wait))
    assert client.get(reverse("home")).status_code == 200  # the bare home page is not a search


def test_web_match_request_form_shares_the_api_budget(low_rates, enterprise_user, result):
    client = login(enterprise_user)
    _request_introduction(_as(enterprise_user), result)
    url = reverse("match-request-create", kwargs={"pk": result.pk})
    # The API's request is open: the form answers with the conflict (409), within budget.
    assert client.post(url, {"message": "请联系我们"}).status_code == 409
    response = client.post(url, {"message": "请联系我们"})
    assert response.status_code == 429
    assert "Request was throttled." in response.content.decode()
    assert client.get(url).status_code == 200  # the form itself is not counted


def test_match_lists_are_rate_limited_per_address_for_anonymous_callers(settings, result):
    settings.THROTTLE_RATES = {"matches": "2/min", "matches_ip": "100/min"}
    client = APIClient(REMOTE_ADDR="10.3.3.3")
    path = f"/api/v1/research-results/{result.pk}/matches/"
    statuses = [client.get(path).status_code for _ in range(2)]
    assert statuses == [200, 200]
    _assert_throttled(client.get(path))
    # The web page shares the budget.
    assert Client(REMOTE_ADDR="10.3.3.3").get(f"/results/{result.pk}/matches/").status_code == 429


def test_password_reset_requests_are_limited_per_address(settings, researcher):
    settings.THROTTLE_RATES = {"password_reset": "2/hour", "password_reset_ip": "10/hour"}
    client = Client(REMOTE_ADDR="10.5.5.5")
    for _ in range(2):
        response = client.post(reverse("password_reset"), {"email": researcher.email})
        assert response.status_code == 302  # Django's "check your e-mail" redirect
    response = client.post(reverse("password_reset"), {"email": researcher.email})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="10.5.5.6").get(reverse("password_reset")).status_code == 200


def test_password_reset_mails_are_limited_per_recipient_whoever_asks(
    settings, researcher, mailoutbox
):
    settings.THROTTLE_RATES = {"password_reset_recipient": "2/hour"}
    for index in range(4):  # four callers, one recipient
        response = Client(REMOTE_ADDR=f"10.6.0.{index}").post(
            reverse("password_reset"), {"email": researcher.email}
        )
        assert response.status_code == 302  # the same answer whether sent or not
    assert len(mailoutbox) == 2
