"""The saved-search and alert-settings API: own records only, per-field 400s in both
languages, OpenAPI."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import AlertSettings, ListingUnfollow, SavedSearch
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/api/v1/saved-searches/"


def detail(pk: int) -> str:
    return f"/api/v1/saved-searches/{pk}/"


def test_crud_of_own_saved_searches(api_client, researcher):
    api_client.force_authenticate(researcher)
    body = {"name": "储能", "query": {"q": "储能 电池", "kind": "need", "field": ["new_energy"]}}
    created = api_client.post(LIST, body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["query"] == body["query"]
    assert created.json()["search_url"].startswith(reverse("home") + "?")
    assert [row["id"] for row in api_client.get(LIST).json()["results"]] == [pk]
    renamed = api_client.patch(detail(pk), {"name": "  储能安全 "}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "储能安全"
    assert renamed.json()["query"] == body["query"]
    assert api_client.get(detail(pk)).json()["name"] == "储能安全"
    assert api_client.delete(detail(pk)).status_code == 204
    assert not SavedSearch.objects.exists()


def test_another_users_saved_search_is_404(api_client, researcher, outsider):
    saved = SavedSearch.objects.create(user=researcher, name="mine", query={"q": "储能"})
    api_client.force_authenticate(outsider)
    assert api_client.get(detail(saved.pk)).status_code == 404
    assert api_client.patch(detail(saved.pk), {"name": "x"}, format="json").status_code == 404
    assert api_client.delete(detail(saved.pk)).status_code == 404
    assert api_client.get(LIST).json()["results"] == []
    saved.refresh_from_db()
    assert saved.name == "mine"


def test_anonymous_gets_401_or_403(api_client):
    assert api_client.get(LIST).status_code in (401, 403)
    assert api_client.get("/api/v1/alert-settings/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": {"q": "x"}}, "name"),
        ({"name": "", "query": {}}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "query": {"trl_min": 12}}, "query.trl_min"),
        ({"name": "ok", "query": {"kind": "roadshow"}}, "query.kind"),
        ({"name": "ok", "query": {"field": "new_energy"}}, "query.field"),
        ({"name": "ok", "query": {"field": ["bogus"]}}, "query.field"),
        ({"name": "ok", "query": {"field": ["new_energy", "zzz"]}}, "query.field"),
        ({"name": "ok", "query": {"colour": "red"}}, "query.colour"),
        ({"name": "ok", "query": "储能"}, "query"),
    ],
)
def test_bad_input_is_400_per_field(api_client, researcher, body, field):
    api_client.force_authenticate(researcher)
    response = api_client.post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert not SavedSearch.objects.exists()


def test_bad_input_in_chinese(api_client, researcher):
    api_client.force_authenticate(researcher)
    response = api_client.post(
        LIST, {"name": " ", "query": {}}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["name"] != ["Give the search a name."]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()["fields"]["name"]))


def test_too_many_saved_searches(api_client, researcher, settings):
    settings.ALERT_SAVED_SEARCHES_PER_USER = 1
    api_client.force_authenticate(researcher)
    assert api_client.post(LIST, {"name": "a"}, format="json").status_code == 201
    response = api_client.post(LIST, {"name": "b", "query": {"q": "储能"}}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "too_many"


def test_cannot_save_the_same_search_twice(api_client, researcher):
    api_client.force_authenticate(researcher)
    body = {"name": "储能", "query": {"q": "储能", "kind": "result"}}
    assert api_client.post(LIST, body, format="json").status_code == 201
    again = api_client.post(
        LIST, {**body, "name": "又一次"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    assert "“储能”" in again.json()["message"] and "已将此搜索保存" in again.json()["message"]
    other = {"name": "需求", "query": {"q": "储能", "kind": "need"}}
    assert api_client.post(LIST, other, format="json").status_code == 201
    assert SavedSearch.objects.filter(user=researcher).count() == 2


@pytest.mark.parametrize(
    ("first", "same"),
    [
        ({"trl_min": 3}, {"trl_min": "03"}),
        ({"field": ["new_energy", "new_materials"]},
         {"field": ["new_materials", "new_energy", "new_energy"]}),
        ({"q": "电池"}, {"q": " 电池 "}),
        ({"province": "北京"}, {"province": "北京市"}),
        ({"q": "电池"}, {"q": "电池", "kind": "result"}),  # the page's form sends its kind
    ],
)
def test_one_search_is_saved_once_whatever_the_spelling_of_its_values(
    api_client, researcher, first, same
):
    """A search is saved as the search page reads it (`checked_params`), so two spellings
    of it are one search (one search, one alert), when saved and when changed."""
    api_client.force_authenticate(researcher)
    created = api_client.post(LIST, {"name": "a", "query": first}, format="json")
    assert created.status_code == 201, created.json()
    again = api_client.post(LIST, {"name": "b", "query": same}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    other = api_client.post(LIST, {"name": "c", "query": {"q": "另一个"}}, format="json")
    changed = api_client.patch(detail(other.json()["id"]), {"query": same}, format="json")
    assert changed.status_code == 400 and changed.json()["code"] == "duplicate"
    # Changing a search to the parameters it already has is no duplicate of itself.
    kept = api_client.patch(detail(created.json()["id"]), {"query": same}, format="json")
    assert kept.status_code == 200 and kept.json()["query"] == created.json()["query"]


def test_alert_settings_get_and_patch(api_client, researcher, result):
    api_client.force_authenticate(researcher)
    got = api_client.get("/api/v1/alert-settings/").json()
    assert got["email_mode"] == "digest"
    assert [(row["kind"], row["id"], row["follow"]) for row in got["listings"]] == [
        ("result", result.pk, True)
    ]
    patched = api_client.patch(
        "/api/v1/alert-settings/",
        {
            "email_mode": "immediate",
            "follow": [{"kind": "result", "id": result.pk, "follow": False}],
        },
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["email_mode"] == "immediate"
    assert patched.json()["listings"][0]["follow"] is False
    assert AlertSettings.objects.get(user=researcher).email_mode == "immediate"
    assert ListingUnfollow.objects.filter(user=researcher, object_id=result.pk).exists()


def test_alert_settings_bad_input(api_client, researcher, need):
    api_client.force_authenticate(researcher)
    bad = api_client.patch("/api/v1/alert-settings/", {"email_mode": "hourly"}, format="json")
    assert bad.status_code == 400 and "email_mode" in bad.json()["fields"]
    empty = api_client.patch("/api/v1/alert-settings/", {}, format="json")
    assert empty.status_code == 400
    # someone else's listing: refused, and nothing of the request is written
    foreign = api_client.patch(
        "/api/v1/alert-settings/",
        {"email_mode": "none", "follow": [{"kind": "need", "id": need.pk, "follow": False}]},
        format="json",
    )
    assert foreign.status_code == 403
    assert not AlertSettings.objects.filter(user=researcher).exists()


def test_openapi_lists_the_routes(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    text = schema.content.decode()
    assert "/api/v1/saved-searches/" in text and "/api/v1/alert-settings/" in text


def test_factories_member_sees_only_own_listings(api_client):
    user = factories.enterprise_member()
    factories.ResearchResultFactory()  # another organisation's listing
    api_client.force_authenticate(user)
    assert api_client.get("/api/v1/alert-settings/").json()["listings"] == []


def test_service_errors_in_both_languages(api_client, researcher, settings):
    settings.ALERT_SAVED_SEARCHES_PER_USER = 0
    api_client.force_authenticate(researcher)
    english = api_client.post(LIST, {"name": "a"}, format="json")
    chinese = api_client.post(
        LIST, {"name": "a"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert english.status_code == chinese.status_code == 400
    assert "delete one first" in english.json()["message"]
    assert "请先删除一个" in chinese.json()["message"]


def test_invisible_characters_are_left_out_of_a_saved_search_name(api_client, researcher):
    api_client.force_authenticate(researcher)
    body = {"name": "储能\u202etxt.exe\u200b", "query": {"q": "储能"}}
    created = api_client.post(LIST, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "储能txt.exe"
    body = {"name": "\u202e\u200b", "query": {"q": "光伏"}}
    only_invisible = api_client.post(LIST, body, format="json")
    assert only_invisible.status_code == 400
    assert "name" in only_invisible.json()["fields"]
