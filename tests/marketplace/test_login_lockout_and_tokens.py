"""Log-in lockout (django-axes, accounts.lockout) on the web form and the token endpoint,
and expiring, revocable API tokens (django-rest-knox, marketplace.auth_apis)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _low_failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def _token(client: APIClient, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def test_token_endpoint_locks_the_account_after_repeated_failures_even_for_the_right_password(
    researcher,
):
    client = APIClient()
    for _ in range(2):
        assert _token(client, researcher.username, "wrong").status_code == 400
    locked = _token(client, researcher.username, "wrong")
    assert locked.status_code == 429
    body = locked.json()
    assert set(body) == {"message", "code", "fields"}
    assert body["code"] == "locked_out"
    assert body["message"] == "Too many failed log-in attempts. Try again in 15 minutes."
    assert locked["Retry-After"] == str(15 * 60)
    # The right password does not get through from the locked address.
    right = _token(client, researcher.username, factories.PASSWORD)
    assert right.status_code == 429 and "token" not in right.json()


def test_failing_on_purpose_from_one_address_does_not_lock_the_owner_out_elsewhere(researcher):
    client = APIClient()
    for _ in range(4):
        _token(client, researcher.username, "wrong", ip="10.6.6.6")
    assert _token(client, researcher.username, "wrong", ip="10.6.6.6").status_code == 429
    owner = _token(client, researcher.username, factories.PASSWORD, ip="10.1.2.3")
    assert owner.status_code == 200 and "token" in owner.json()


def test_one_address_failing_on_purpose_after_its_lockout_cannot_lock_the_owner_out(researcher):
    client = APIClient()
    # Far past the username's own limit (8 here), all from one address: only the first failures
    # count; the rest are refused by the pair's lockout and not recorded.
    statuses = {_token(client, researcher.username, "wrong", ip="10.4.0.1").status_code
                for _ in range(30)}
    assert statuses == {400, 429}
    owner = _token(client, researcher.username, factories.PASSWORD, ip="10.4.0.2")
    assert owner.status_code == 200 and "token" in owner.json()


def test_guessing_one_username_from_many_addresses_locks_that_username(researcher):
    client = APIClient()
    for index in range(8):  # LOGIN_USERNAME_FAILURE_LIMIT, two guesses per address
        _token(client, researcher.username, "wrong", ip=f"10.7.7.{index // 2}")
    fresh_address = _token(client, researcher.username, factories.PASSWORD, ip="10.8.8.8")
    assert fresh_address.status_code == 429
    assert fresh_address.json()["code"] == "locked_out"


def test_token_endpoint_locks_an_address_that_tries_many_accounts(db):
    users = [factories.researcher() for _ in range(6)]
    client = APIClient()
    statuses = [_token(client, user.username, "wrong", ip="10.0.0.7").status_code
                for user in users[:5]]  # LOGIN_ADDRESS_FAILURE_LIMIT, one guess per account
    assert statuses == [400, 400, 400, 400, 429]  # the failure that reaches the limit locks
    # A sixth account, right password, same address: refused.
    assert _token(client, users[5].username, factories.PASSWORD, ip="10.0.0.7").status_code == 429
    # The same account from another address is not locked (one failure-free account).
    assert _token(client, users[5].username, factories.PASSWORD, ip="10.0.0.8").status_code == 200


def test_lockout_message_is_translated(researcher):
    client = APIClient()
    for _ in range(3):
        response = client.post(
            TOKEN, {"username": researcher.username, "password": "wrong"}, format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 429
    assert response.json()["message"] == "登录失败次数过多，请在 15 分钟后重试。"


def test_lockout_ends_after_the_cool_off(researcher, settings):
    settings.AXES_COOLOFF_TIME = dt.timedelta(seconds=1)
    client = APIClient()
    for _ in range(3):
        _token(client, researcher.username, "wrong")
    assert _token(client, researcher.username, factories.PASSWORD).status_code == 429
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(seconds=5))
    assert _token(client, researcher.username, factories.PASSWORD).status_code == 200


def test_web_login_form_locks_after_repeated_failures_with_a_clear_message(researcher):
    client = Client()
    for _ in range(2):
        response = client.post(LOGIN, {"login": researcher.username, "password": "wrong"})
        assert response.status_code == 200  # the form again, with the usual error
    response = client.post(LOGIN, {"login": researcher.username, "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Too many failed log-in attempts. Try again in 15 minutes." in response.content.decode()
    response = client.post(
        LOGIN, {"login": researcher.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_web_login_lockout_page_in_chinese(researcher):
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    for _ in range(3):
        response = client.post(LOGIN, {"login": researcher.username, "password": "wrong"})
    assert "登录失败次数过多，请在 15 分钟后重试。" in response.content.decode()


def test_logging_into_ones_own_account_does_not_clear_failures_against_another(
    researcher, enterprise_user
):
    client = APIClient()
    for _ in range(2):
        _token(client, researcher.username, "guess", ip="10.0.0.9")
        # The attacker's own successful log-in from the same address, between guesses.
        own = _token(client, enterprise_user.username, factories.PASSWORD, ip="10.0.0.9")
        assert own.status_code == 200
    assert _token(client, researcher.username, "guess", ip="10.0.0.9").status_code == 429


def test_a_successful_login_clears_earlier_failures(researcher):
    client = APIClient()
    for _ in range(2):
        _token(client, researcher.username, "wrong")
    assert _token(client, researcher.username, factories.PASSWORD).status_code == 200
    for _ in range(2):
        _token(client, researcher.username, "wrong")
    assert _token(client, researcher.username, factories.PASSWORD).status_code == 200


# --- tokens -----------------------------------------------------------------------------------


def _issue(user) -> dict:
    response = APIClient().post(
        TOKEN, {"username": user.username, "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _me(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(reverse("api-me")).status_code


def test_token_expires_after_the_configured_ttl(researcher, settings):
    issued = _issue(researcher)
    expiry = dt.datetime.fromisoformat(issued["expiry"].replace("Z", "+00:00"))
    expected = timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert abs((expiry - expected).total_seconds()) < 60
    assert _me(issued["token"]) == 200
    from knox.models import AuthToken

    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert _me(issued["token"]) == 401


def test_token_is_stored_only_as_a_hash(researcher):
    from knox.models import AuthToken

    token = _issue(researcher)["token"]
    stored = AuthToken.objects.get(user=researcher)
    assert token not in (stored.digest, stored.token_key)


def test_revoking_a_token_ends_it_and_leaves_the_others(researcher):
    first, second = _issue(researcher)["token"], _issue(researcher)["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.post(reverse("api-auth-token-revoke")).status_code == 204
    assert _me(first) == 401
    assert _me(second) == 200


def test_revoke_all_ends_every_token_of_the_user_only(researcher, enterprise_user):
    tokens = [_issue(researcher)["token"] for _ in range(3)]
    other = _issue(enterprise_user)["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
    assert client.post(reverse("api-auth-token-revoke-all")).status_code == 204
    assert [_me(token) for token in tokens] == [401, 401, 401]
    assert _me(other) == 200


def test_revoke_all_works_from_a_browser_session(researcher):
    token = _issue(researcher)["token"]
    client = APIClient()
    client.force_login(researcher)
    assert client.post(reverse("api-auth-token-revoke-all")).status_code == 204
    assert _me(token) == 401


def test_revoking_needs_a_token(db):
    response = APIClient().post(reverse("api-auth-token-revoke"))
    assert response.status_code == 401
    assert set(response.json()) == {"message", "code", "fields"}


def test_token_endpoint_reads_json_with_the_hardened_parser(db):
    nested = "[" * 5000 + "]" * 5000
    response = APIClient().post(TOKEN, nested, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "fields"}


def test_a_new_password_revokes_every_api_token_of_that_user(
    researcher, enterprise_user, django_capture_on_commit_callbacks
):
    tokens = [_issue(researcher)["token"] for _ in range(2)]
    other = _issue(enterprise_user)["token"]
    client = Client()
    client.force_login(researcher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/password/change/",
            {
                "oldpassword": factories.PASSWORD,
                "password1": "a-new-pass-phrase-42",
                "password2": "a-new-pass-phrase-42",
            },
        )
    assert response.status_code == 302
    assert [_me(token) for token in tokens] == [401, 401]
    assert _me(other) == 200


def test_saving_a_user_without_a_new_password_keeps_the_tokens(
    researcher, django_capture_on_commit_callbacks
):
    token = _issue(researcher)["token"]
    researcher.first_name = "演示"
    with django_capture_on_commit_callbacks(execute=True):
        researcher.save()
    assert _me(token) == 200


def test_token_expiry_is_given_in_utc(researcher):
    expiry = _issue(researcher)["expiry"]
    assert expiry.endswith(("Z", "+00:00")), expiry
