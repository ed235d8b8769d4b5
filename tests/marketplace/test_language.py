"""Web pages default to Chinese whatever the browser prefers; the switch and the API's
Accept-Language still choose English."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


@pytest.fixture(autouse=True)
def _chinese_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.mark.django_db
def test_web_pages_are_chinese_even_when_the_browser_prefers_english():
    response = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_language_switch_turns_web_pages_english():
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_api_follows_accept_language():
    response = Client().get("/api/v1/research-results/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Language"] == "en"


def test_api_docs_serve_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr.net" not in page and "https://" not in page.split("<body")[0]
