"""Password reset (absolute links), e-mail change (re-verified), account deletion (anonymised,
the organisation's listings kept), and the log-in lockout on allauth's log-in."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from marketplace.models import Membership, ResearchResult
from tests import factories
from tests.accounts.helpers import PASSWORD, SITE, log_in, only_link, path_of, verify

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_password_reset_link_is_absolute_under_site_url_and_sets_a_new_password(
    settings, researcher, mailoutbox
):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    client = Client(HTTP_HOST="attacker.example")
    response = client.post("/accounts/password/reset/", {"email": researcher.email})
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert "attacker.example" not in mail.body
    link = only_link(mail.body)
    assert link.startswith(f"{SITE}/accounts/password/reset/key/")
    browser = Client()
    form_page = browser.get(path_of(link), follow=True)
    assert form_page.status_code == 200
    set_password = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path_of(link)
    done = browser.post(
        set_password, {"password1": "another-pass-phrase-7", "password2": "another-pass-phrase-7"}
    )
    assert done.status_code == 302
    assert log_in(Client(), researcher.username, "another-pass-phrase-7").status_code == 302
    # The old password no longer works.
    assert log_in(Client(), researcher.username, factories.PASSWORD).status_code == 200


def test_a_new_email_address_takes_effect_only_once_verified(researcher, mailoutbox):
    client = Client()
    assert log_in(client, researcher.username, factories.PASSWORD).status_code == 302
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "new-address@example.org"}
    )
    assert response.status_code == 302
    old_address = researcher.email
    researcher.refresh_from_db()
    assert researcher.email == old_address  # the new one counts only once verified
    (mail,) = mailoutbox
    assert mail.to == ["new-address@example.org"]
    verify(client, mail.body)
    researcher.refresh_from_db()
    assert researcher.email == "new-address@example.org"
    assert EmailAddress.objects.get(user=researcher, primary=True).verified
    assert log_in(Client(), "new-address@example.org", factories.PASSWORD).status_code == 302


def test_deleting_an_account_anonymises_the_user_and_keeps_the_organisations_listings(
    researcher,
):
    organization = Membership.objects.get(user=researcher).organization
    listing = factories.ResearchResultFactory(owner=organization, created_by=researcher)
    client = factories.login(researcher)
    assert client.get("/accounts/delete/").status_code == 200
    # Deleting asks for the password again (allauth's reauthentication), which then carries
    # out the suspended request.
    asked = client.post("/accounts/delete/")
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2Fdelete%2F"
    response = client.post(asked["Location"], {"password": factories.PASSWORD})
    assert response.status_code == 302, response
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    user = User.objects.get(pk=researcher.pk)
    assert (user.username, user.email, user.first_name, user.last_name) == (
        f"deleted-{user.pk}", "", "", ""
    )
    assert not user.is_active and not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    kept = ResearchResult.objects.get(pk=listing.pk)
    assert kept.owner == organization and kept.created_by_id == user.pk
    assert log_in(Client(), researcher.email, factories.PASSWORD).status_code == 200


def test_deleting_an_account_needs_the_password_again(researcher):
    client = factories.login(researcher)
    asked = client.post("/accounts/delete/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert client.post(asked["Location"], {"password": "wrong"}).status_code == 200
    assert client.post("/accounts/delete/")["Location"].startswith("/accounts/reauthenticate/")
    assert User.objects.get(pk=researcher.pk).is_active


def test_axes_locks_allauth_logins_counting_email_and_username_as_one_account(
    settings, researcher
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    client = Client()
    assert log_in(client, researcher.email, "wrong").status_code == 200
    assert log_in(client, researcher.username, "wrong").status_code == 200
    locked = log_in(client, researcher.email, "wrong")
    assert locked.status_code == 429
    assert "Too many failed log-in attempts." in locked.content.decode()
    # Locked for the account whichever name is used, even with the right password.
    assert log_in(client, researcher.username, factories.PASSWORD).status_code == 429
    assert log_in(client, researcher.email, factories.PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_of_a_signed_up_account_stays_out_of_the_reset_mail(researcher, mailoutbox):
    Client().post("/accounts/password/reset/", {"email": researcher.email})
    (mail,) = mailoutbox
    assert factories.PASSWORD not in mail.body and PASSWORD not in mail.body


def test_a_pending_new_address_does_not_lock_the_account_out_but_cannot_log_in_yet(
    researcher, mailoutbox
):
    client = factories.login(researcher)
    client.post("/accounts/email/", {"action_add": "", "email": "pending@example.org"})
    assert log_in(Client(), researcher.username, factories.PASSWORD).status_code == 302
    assert log_in(Client(), researcher.email, factories.PASSWORD).status_code == 302
    by_pending = Client()
    response = log_in(by_pending, "pending@example.org", factories.PASSWORD)
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in by_pending.session
