"""Users see Keqiao's own error pages (with DEBUG off, as in production) in the language they
chose: 400, 403, 404, 500 and a failed CSRF check. API paths answer in the API's error shape."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests import factories

pytestmark = pytest.mark.django_db

ZH = "zh-hans"
EN = "en"


def _client(language: str, user=None, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="site-header"' in html  # the site's layout, not Django's bare page
    assert "css/keqiao.css" in html
    return html


@pytest.mark.parametrize(
    ("language", "title", "hint"),
    [(ZH, "请求无效", "返回首页"), (EN, "Bad request", "Back to the home page")],
)
def test_a_request_for_an_unknown_host_gets_the_400_page_in_the_chosen_language(
    language, title, hint
):
    response = _client(language).get("/", HTTP_HOST="attacker.invalid")
    assert response.status_code == 400
    html = _page(response)
    assert title in html
    assert hint in html


@pytest.mark.parametrize(
    ("language", "title"), [(ZH, "无权访问"), (EN, "Access denied")]
)
def test_a_forbidden_page_gets_the_403_page_in_the_chosen_language(language, title):
    response = _client(language, factories.enterprise_member()).get("/moderation/")
    assert response.status_code == 403
    assert title in _page(response)


@pytest.mark.parametrize(
    ("language", "title"), [(ZH, "页面不存在"), (EN, "Page not found")]
)
def test_an_unknown_page_gets_the_404_page_in_the_chosen_language(language, title):
    response = _client(language).get("/no-such-page/")
    assert response.status_code == 404
    assert title in _page(response)


@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        (ZH, "表单已过期", "请返回"),
        (EN, "The form has expired", "Go back, reload the page and send it again."),
    ],
)
def test_a_form_post_without_a_valid_csrf_token_gets_the_csrf_page_in_the_chosen_language(
    language, title, advice
):
    client = _client(language, enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "x", "password": "y"})
    assert response.status_code == 403
    html = _page(response)
    assert title in html
    assert advice in html
    assert "CSRF" not in html  # Django's reason is logged, not shown


@override_settings(ROOT_URLCONF="tests.marketplace.error_urls")
@pytest.mark.parametrize("language", [ZH, EN])
def test_a_server_error_gets_the_bilingual_500_page(language):
    response = _client(language).get("/failing/")
    assert response.status_code == 500
    html = _page(response)
    assert "服务器出错了" in html
    assert "Server error" in html
    assert "deliberate" not in html  # no traceback or exception text


@override_settings(ROOT_URLCONF="tests.marketplace.error_urls")
def test_a_server_error_under_the_api_answers_in_the_api_error_shape():
    response = _client(EN).get("/api/v1/failing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response.json() == {
        "message": "Server error. Please try again later.",
        "code": "server_error",
        "fields": {},
    }


def test_a_request_for_an_unknown_host_under_the_api_answers_in_the_api_error_shape():
    response = Client(raise_request_exception=False).get(
        "/api/v1/results/", HTTP_HOST="attacker.invalid", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "请求无效。", "code": "bad_request", "fields": {}}


@pytest.mark.parametrize(("language", "words"), [(ZH, "未发送数据"), (EN, "No data was sent")])
def test_a_json_null_body_is_a_400_in_the_chosen_language(language, words):
    """DRF words a body of JSON null "No data provided" in English whatever the language."""
    client = _client(language, user=factories.researcher())
    for path in ("/api/v1/saved-searches/", "/api/v1/match-requests/"):
        response = client.post(path, "null", content_type="application/json")
        assert response.status_code == 400
        body = response.json()
        assert words in body["message"]
        assert body["fields"] == {"non_field_errors": [body["message"]]}
