"""Notifications are a verb and its parameters, rendered through gettext in the reader's
language when shown (pages, API) and in every site language when e-mailed, with absolute links."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from marketplace.models import Notification
from marketplace.notifications import notification_text, notify

LISTING = {"listing": 7, "kind": "result", "title": "储能 / 热管理"}


def test_a_title_containing_the_old_separator_shows_whole_in_each_language(researcher):
    notify(users=[researcher], verb="listing.approved", params=LISTING)
    notification = Notification.objects.get()
    chinese = notification_text(notification, "zh-hans")
    assert chinese == "您的发布《储能 / 热管理》已通过审核并公开。"
    assert notification_text(notification, "en") == (
        "Your listing “储能 / 热管理” was approved and is now published."
    )


def test_rows_written_before_parameters_show_their_stored_half(researcher):
    notification = Notification.objects.create(
        recipient=researcher, verb="listing.approved", message="旧的 / old"
    )
    assert notification_text(notification, "zh-hans") == "旧的"
    assert notification_text(notification, "en") == "old"


def test_a_row_whose_parameters_do_not_fit_its_verb_shows_its_stored_text(
    api_client, researcher
):
    notification = Notification.objects.create(
        recipient=researcher, verb="listing.rejected", params={"listing": 7}, message="旧 / old"
    )
    assert notification_text(notification, "en") == "old"
    api_client.force_authenticate(researcher)
    response = api_client.get(reverse("api-notifications"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json()["results"][0]["message"] == "old"


def test_api_renders_the_message_in_the_request_language(api_client, researcher):
    notify(users=[researcher], verb="listing.approved", params=LISTING)
    api_client.force_authenticate(researcher)
    url = reverse("api-notifications")
    english = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]["message"]
    chinese = api_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]["message"]
    assert english == "Your listing “储能 / 热管理” was approved and is now published."
    assert chinese == "您的发布《储能 / 热管理》已通过审核并公开。"


@override_settings(SITE_URL="https://keqiao.example.org", LANGUAGE_CODE="zh-hans")
def test_email_carries_both_languages_and_an_absolute_link(
    researcher, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[researcher], verb="listing.approved", params=LISTING)
    (mail,) = mailoutbox
    assert "您的发布《储能 / 热管理》已通过审核并公开。" in mail.body
    assert "Your listing “储能 / 热管理” was approved" in mail.body
    stored = Notification.objects.get().url
    assert stored.startswith("/") and f"https://keqiao.example.org{stored}" in mail.body
    assert mail.subject == "[科桥 Keqiao] 您的发布已通过审核"  # the site's language


def test_cannot_notify_with_an_unregistered_verb(researcher):
    with pytest.raises(ValueError):
        notify(users=[researcher], verb="no_such_verb", params={})
    assert not Notification.objects.exists()


def test_cannot_store_lazy_strings_as_parameters(researcher):
    with pytest.raises(TypeError):
        notify(users=[researcher], verb="listing.approved",
               params={**LISTING, "title": gettext_lazy("Price")})
    assert not Notification.objects.exists()


def test_cannot_notify_without_a_placeholder_value(researcher):
    with pytest.raises(KeyError):
        notify(users=[researcher], verb="listing.approved", params={"listing": 1})
    assert not Notification.objects.exists()


def test_a_decline_reason_is_translated_when_shown(researcher):
    notify(
        users=[researcher],
        verb="match_request.declined",
        params={"match_request": 1, "organization": "某公司", "result": "成果", "reason": "Price"},
    )
    notification = Notification.objects.get()
    assert notification_text(notification, "en").endswith("(reason: Price).")
    assert "Price" not in notification_text(notification, "zh-hans")
