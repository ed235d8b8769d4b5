"""The saved-search and alert pages: save from the search page, rename, delete, others' 404,
e-mail mode and follow toggles, login required, both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import AlertSettings, ListingUnfollow, SavedSearch
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_users_go_to_login(client):
    for name in ("saved-search-list", "alert-settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(reverse("saved-search-create"), {"name": "x"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not SavedSearch.objects.exists()


def test_the_search_page_offers_to_save_and_saving_keeps_its_filters(researcher):
    client = factories.login(researcher)
    page = client.get(reverse("home"), {"q": "储能", "kind": "need", "province": "河北"})
    assert reverse("saved-search-create") in page.content.decode()
    response = client.post(
        reverse("saved-search-create"),
        {"name": "储能 河北", "q": "储能", "kind": "need", "province": "河北", "field": "bogus",
         "page": "3"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("saved-search-list")
    saved = SavedSearch.objects.get(user=researcher)
    assert saved.name == "储能 河北"
    assert saved.query == {"q": "储能", "kind": "need", "province": "河北"}
    listing = client.get(reverse("saved-search-list")).content.decode()
    assert "储能 河北" in listing and "province=" in listing


def test_saving_the_same_search_again_says_under_which_name_it_is_saved(researcher):
    client = factories.login(researcher)
    first = client.post(reverse("saved-search-create"), {"name": "储能", "q": "储能"})
    assert first.status_code == 302
    again = client.post(reverse("saved-search-create"), {"name": "储能2", "q": "储能"})
    assert again.status_code == 400
    assert "already saved this search as “储能”" in again.content.decode()
    assert SavedSearch.objects.filter(user=researcher).count() == 1


def test_saving_without_a_name_shows_the_error(researcher):
    client = factories.login(researcher)
    response = client.post(reverse("saved-search-create"), {"name": " ", "q": "储能"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_rename_and_delete(researcher):
    saved = SavedSearch.objects.create(user=researcher, name="old", query={"q": "储能"})
    client = factories.login(researcher)
    response = client.post(
        reverse("saved-search-rename", args=[saved.pk]), {f"s{saved.pk}-name": "new"}
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.name == "new"
    bad = client.post(reverse("saved-search-rename", args=[saved.pk]), {f"s{saved.pk}-name": ""})
    assert bad.status_code == 400
    assert client.post(reverse("saved-search-delete", args=[saved.pk])).status_code == 302
    assert not SavedSearch.objects.exists()


def test_others_cannot_rename_or_delete(researcher, outsider):
    saved = SavedSearch.objects.create(user=researcher, name="mine", query={})
    client = factories.login(outsider)
    assert client.post(
        reverse("saved-search-rename", args=[saved.pk]), {f"s{saved.pk}-name": "x"}
    ).status_code == 404
    assert client.post(reverse("saved-search-delete", args=[saved.pk])).status_code == 404
    assert "mine" not in client.get(reverse("saved-search-list")).content.decode()
    assert SavedSearch.objects.get().name == "mine"


def test_alert_settings_page(researcher, result, need):
    client = factories.login(researcher)
    page = client.get(reverse("alert-settings"))
    assert page.status_code == 200 and result.title in page.content.decode()
    assert need.title not in page.content.decode()
    assert client.post(reverse("alert-settings"), {"email_mode": "none"}).status_code == 302
    assert AlertSettings.objects.get(user=researcher).email_mode == "none"
    assert client.post(reverse("alert-settings"), {"email_mode": "hourly"}).status_code == 400
    client.post(reverse("alert-follow"), {"kind": "result", "object_id": result.pk})
    assert ListingUnfollow.objects.filter(user=researcher, object_id=result.pk).exists()
    client.post(reverse("alert-follow"), {"kind": "result", "object_id": result.pk, "follow": "on"})
    assert not ListingUnfollow.objects.exists()
    # another organisation's listing: refused
    assert client.post(
        reverse("alert-follow"), {"kind": "need", "object_id": need.pk}
    ).status_code == 403
    assert not ListingUnfollow.objects.exists()


def test_pages_in_chinese(researcher, result):
    client = factories.login(researcher)
    client.cookies["django_language"] = "zh-hans"
    for name in ("saved-search-list", "alert-settings"):
        text = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "保存的搜索" in text
    dashboard = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "提醒设置" in dashboard.content.decode()
    # A followed listing is named with the Chinese colon, as Chinese text writes it.
    settings_page = client.get(reverse("alert-settings"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert f"科技成果：{result.title}" in settings_page.content.decode()
