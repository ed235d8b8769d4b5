"""POST /api/v1/auth/signup/: allauth's sign-up flow through the API, in the error shape."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tests.accounts.helpers import PASSWORD, log_in, only_link, verify

pytestmark = pytest.mark.django_db
User = get_user_model()
SIGNUP = "/api/v1/auth/signup/"


def _signup(language: str = "en", **fields):
    body = {"username": "api-newcomer", "email": "api-newcomer@example.org", "password": PASSWORD}
    return APIClient().post(
        SIGNUP, {**body, **fields}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )


def test_api_signup_answers_201_and_sends_the_same_verification_mail_as_the_web_page(
    mailoutbox,
):
    response = _signup()
    assert response.status_code == 201
    assert response.json() == {"username": "api-newcomer", "email": "api-newcomer@example.org"}
    assert not User.objects.get(username="api-newcomer").is_active
    (mail,) = mailoutbox
    assert mail.to == ["api-newcomer@example.org"]
    client = Client()
    verify(client, mail.body)
    assert log_in(client, "api-newcomer@example.org").status_code == 302
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "api-newcomer", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200 and token.json()["token"]


def test_api_signup_answers_400_per_field_in_english():
    response = _signup(email="not-an-address", password="short")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"} and body["code"] == "invalid"
    assert body["fields"]["email"] == ["Enter a valid email address."]
    response = _signup(password="password123")
    assert response.status_code == 400
    assert response.json()["fields"] == {"password": ["This password is too common."]}
    assert not User.objects.filter(username="api-newcomer").exists()


def test_api_signup_answers_400_per_field_in_chinese():
    response = _signup("zh-hans", email="not-an-address")
    assert response.status_code == 400
    assert response.json()["fields"]["email"] == ["请输入合法的邮件地址。"]
    response = _signup("zh-hans", password="password123")
    assert response.json()["fields"] == {"password": ["这个密码太常见了。"]}


def test_api_signup_never_reveals_that_an_address_is_registered(researcher, mailoutbox):
    fresh = _signup(username="someone-new", email="someone-new@example.org")
    taken = _signup(username="someone-else", email=researcher.email)
    assert taken.status_code == fresh.status_code == 201
    assert set(taken.json()) == set(fresh.json())
    assert not User.objects.filter(username="someone-else").exists()
    # The owner of the address is told by e-mail instead; every link is absolute.
    to_owner = [mail for mail in mailoutbox if mail.to == [researcher.email]]
    assert len(to_owner) == 1
    only_link(to_owner[0].body)


def test_api_signup_refuses_a_taken_username_as_the_web_page_does(researcher):
    response = _signup(username=researcher.username)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username"}


def test_api_signup_sets_no_session_or_message_cookie():
    response = _signup()
    assert response.status_code == 201
    assert not response.cookies
