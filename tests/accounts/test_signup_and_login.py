"""Sign-up with mandatory e-mail verification, log-in by e-mail or username (django-allauth
through the app accounts), links in e-mails absolute under SITE_URL."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tests import factories
from tests.accounts.helpers import PASSWORD, SITE, log_in, only_link, sign_up, verify

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_sign_up_sends_a_verification_mail_then_the_account_logs_in_by_email_and_by_username(
    mailoutbox,
):
    client = Client()
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="newcomer")
    assert not user.is_active  # until verified
    (mail,) = mailoutbox
    assert mail.to == ["newcomer@example.org"]
    assert verify(client, mail.body).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    by_email = log_in(Client(), "newcomer@example.org")
    assert by_email.status_code == 302 and by_email["Location"] == "/dashboard/"
    by_username = Client()
    assert log_in(by_username, "newcomer").status_code == 302
    assert by_username.get("/dashboard/").status_code == 200


def test_an_unverified_account_cannot_log_in_on_the_web_or_get_an_api_token(mailoutbox):
    sign_up(Client())
    client = Client()
    response = log_in(client, "newcomer")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"  # "check your e-mail", not in
    assert "_auth_user_id" not in client.session
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "newcomer", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 400 and "token" not in token.json()


def test_accounts_made_by_staff_log_in_without_verification(researcher):
    client = Client()
    assert log_in(client, researcher.email, factories.PASSWORD).status_code == 302
    assert "_auth_user_id" in client.session


def test_verification_link_is_absolute_under_site_url_whatever_host_the_request_names(
    settings, mailoutbox
):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    sign_up(Client(HTTP_HOST="attacker.example"))
    (mail,) = mailoutbox
    assert "attacker.example" not in mail.body
    assert only_link(mail.body).startswith(f"{SITE}/accounts/confirm-email/")
    assert mail.subject.startswith("[科桥 Keqiao] ")


def test_sign_up_page_and_mail_in_chinese(mailoutbox):
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/accounts/signup/").content.decode()
    assert "注册" in page
    sign_up(client)
    (mail,) = mailoutbox
    assert "科桥 Keqiao" in mail.body
    assert "确认" in mail.subject or "确认" in mail.body


def test_header_offers_sign_up_to_visitors_and_the_account_page_to_members(researcher):
    anonymous = Client().get("/").content.decode()
    assert 'href="/accounts/signup/"' in anonymous
    member = factories.login(researcher).get("/").content.decode()
    assert 'href="/accounts/settings/"' in member
    settings_page = factories.login(researcher).get("/accounts/settings/").content.decode()
    for target in ("/accounts/email/", "/accounts/password/change/", "/accounts/delete/"):
        assert f'href="{target}"' in settings_page


def test_api_token_may_be_asked_for_with_the_email_address(researcher):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": researcher.email, "password": factories.PASSWORD},
        format="json",
    )
    assert response.status_code == 200 and response.json()["token"]


def test_web_sign_ups_are_rate_limited_per_address(settings):
    settings.THROTTLE_RATES = {"signup": "2/hour", "signup_ip": "10/hour"}
    client = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [
        sign_up(client, username=f"many{index}", email=f"many{index}@example.org").status_code
        for index in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_logging_in_before_verifying_with_the_right_password_is_not_a_failed_attempt(
    mailoutbox, settings
):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    sign_up(Client())
    for _ in range(3):  # more than the limit: still sent on to the verification step
        response = log_in(Client(), "newcomer")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/confirm-email/"
    assert not AccessAttempt.objects.filter(username="newcomer").exists()
    # a wrong password for the same pending account still counts
    log_in(Client(), "newcomer", "not-the-password")
    assert AccessAttempt.objects.get(username="newcomer").failures_since_start == 1
