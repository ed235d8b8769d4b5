"""GET /api/v1/needs/{id}/matches/ and /api/v1/research-results/{id}/matches/: shape,
language of the reasons, and visibility (404 for listings the viewer cannot see)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.choices import Field, ListingStatus
from marketplace.models import ResearchResult
from matching.scoring import COMPONENTS
from tests import factories
from tests.bundled import load_bundled_results

pytestmark = pytest.mark.django_db

COMPONENT_KEYS = {"name", "label", "score", "weight", "known", "reason", "reason_zh", "reason_en"}


@pytest.fixture
def bundled():
    load_bundled_results()


def slag_need(**kw):
    values = {
        "title": "钢渣堆积如山，占地污染",
        "description": "钢铁企业钢渣堆积，希望找到钢渣处理和资源化利用技术。",
        "keywords": ["钢渣", "固废"],
        "field": Field.ENERGY_SAVING,
        "province": "河北",
        "city": "唐山",
    }
    values.update(kw)
    return factories.TechnologyNeedFactory(**values)


def test_need_matches_shape_and_english_reasons(api_client, bundled):
    need = slag_need()
    response = api_client.get(f"/api/v1/needs/{need.pk}/matches/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert 0 < len(results) <= 20
    first = results[0]
    assert set(first) == {
        "type", "id", "title", "owner", "url", "score", "strength", "components", "reason"
    }
    assert first["strength"] in {"strong", "possible", "weak"}
    assert first["type"] == "result"
    assert first["url"] == reverse("result-detail", kwargs={"pk": first["id"]})
    assert ResearchResult.objects.filter(pk=first["id"], title=first["title"]).exists()
    assert 0 <= first["score"] <= 1
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert len(first["components"]) == len(COMPONENTS)
    for component in first["components"]:
        assert set(component) == COMPONENT_KEYS
        assert component["reason"] == component["reason_en"]
    assert sum(c["weight"] for c in first["components"]) == pytest.approx(1.0, abs=1e-3)
    assert "R0012" in [
        ResearchResult.objects.get(pk=r["id"]).source_id for r in results[:10]
    ]


def test_reasons_follow_the_request_language(api_client, bundled):
    need = slag_need()
    response = api_client.get(
        f"/api/v1/needs/{need.pk}/matches/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    first = response.json()["results"][0]
    for component in first["components"]:
        assert component["reason"] == component["reason_zh"]
    assert first["reason"]


def test_matches_paginate_like_every_list(api_client, bundled):
    need = slag_need()
    url = f"/api/v1/needs/{need.pk}/matches/"
    both = api_client.get(url, {"page_size": 6}).json()
    first = api_client.get(url, {"page_size": 3}).json()
    second = api_client.get(url, {"page_size": 3, "page": 2}).json()
    assert set(both) == {"count", "next", "previous", "results"}
    assert both["count"] == first["count"] == second["count"] >= 6
    assert [r["id"] for r in first["results"] + second["results"]] == [
        r["id"] for r in both["results"]
    ]
    assert first["previous"] is None and "page=2" in first["next"]


def test_bad_match_page_sizes_fall_back_and_a_page_past_the_end_is_404(api_client, bundled):
    need = slag_need()
    url = f"/api/v1/needs/{need.pk}/matches/"
    default = api_client.get(url).json()
    assert len(default["results"]) == min(20, default["count"])
    for page_size in ("0", "x", "-1"):
        fallback = api_client.get(url, {"page_size": page_size}).json()
        assert fallback["results"] == default["results"]
    past = api_client.get(url, {"page": default["count"] + 1})
    assert past.status_code == 404
    assert set(past.json()) == {"message", "code", "fields"}


def test_unpublished_need_of_another_org_is_404(api_client, enterprise_user, bundled):
    draft = slag_need(status=ListingStatus.DRAFT, published_at=None)
    api_client.force_authenticate(enterprise_user)
    assert api_client.get(f"/api/v1/needs/{draft.pk}/matches/").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(f"/api/v1/needs/{draft.pk}/matches/").status_code == 404


def test_owner_member_sees_matches_of_own_draft_need(api_client, bundled):
    owner = factories.OrganizationFactory(kind="enterprise")
    user = factories.enterprise_member(owner)
    draft = slag_need(status=ListingStatus.DRAFT, published_at=None, owner=owner)
    api_client.force_authenticate(user)
    response = api_client.get(f"/api/v1/needs/{draft.pk}/matches/")
    assert response.status_code == 200
    assert response.json()["results"]


def test_missing_need_is_404(api_client, bundled):
    response = api_client.get("/api/v1/needs/999999/matches/")
    assert response.status_code == 404
    assert set(response.json()) == {"message", "code", "fields"}


def test_research_result_matches_lists_needs(api_client, bundled):
    from tests.bundled import reindex

    need = slag_need()
    reindex()
    result = ResearchResult.objects.get(source_id="R0012")
    response = api_client.get(f"/api/v1/research-results/{result.pk}/matches/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["type"] == "need" and results[0]["id"] == need.pk
    assert results[0]["url"] == reverse("need-detail", kwargs={"pk": need.pk})


def test_unpublished_result_of_another_org_is_404(api_client, researcher, bundled):
    hidden = factories.ResearchResultFactory(status=ListingStatus.PENDING_REVIEW)
    api_client.force_authenticate(researcher)
    response = api_client.get(f"/api/v1/research-results/{hidden.pk}/matches/")
    assert response.status_code == 404


# --- strength ----------------------------------------------------------------------------------


@pytest.fixture
def mixed_strengths(monkeypatch):
    """Matches get strengths weak, strong, possible, weak, … in the matcher's order."""
    from dataclasses import replace

    from matching import matcher
    from matching.matches import apis

    pattern = ("weak", "strong", "possible")

    def mixed(**kwargs):
        ranked = matcher.matches_for_need(**kwargs)
        return [replace(m, strength=pattern[i % 3]) for i, m in enumerate(ranked)]

    monkeypatch.setattr(apis, "matches_for_need", mixed)


def all_matches(api_client, url, **params):
    return api_client.get(url, {"page_size": 100, **params}).json()["results"]


def test_strength_follows_the_thresholds(api_client, bundled, settings):
    need = slag_need()
    url = f"/api/v1/needs/{need.pk}/matches/"
    settings.MATCHING_STRENGTH = {"strong": 0.0, "possible": 0.0}
    assert {r["strength"] for r in all_matches(api_client, url)} == {"strong"}
    settings.MATCHING_STRENGTH = {"strong": 1.0, "possible": 1.0}
    assert {r["strength"] for r in all_matches(api_client, url)} == {"weak"}
    assert api_client.get(url, {"strength": "strong,possible"}).json()["count"] == 0


def test_the_list_keeps_the_matchers_order_and_the_filter_keeps_it_too(
    api_client, bundled, mixed_strengths
):
    need = slag_need()
    url = f"/api/v1/needs/{need.pk}/matches/"
    everything = all_matches(api_client, url)
    assert [r["strength"] for r in everything[:3]] == ["weak", "strong", "possible"]
    for asked, params in (
        ({"strong"}, {"strength": "strong"}),
        ({"strong", "possible"}, {"strength": "strong,possible"}),
        ({"strong", "possible"}, {"strength": " possible , strong "}),
        ({"weak", "strong"}, {"strength": ["weak", "strong"]}),  # repeated parameter
    ):
        response = api_client.get(url, {"page_size": 100, **params}).json()
        expected = [r["id"] for r in everything if r["strength"] in asked]
        assert [r["id"] for r in response["results"]] == expected
        assert response["count"] == len(expected)
    assert [r["id"] for r in all_matches(api_client, url, strength="")] == [
        r["id"] for r in everything
    ]


@pytest.mark.parametrize(
    ("language", "prefix", "words"),
    [("en", "Item 2: ", "is not a strength"), ("zh-hans", "第 2 项：", "不是有效的匹配强度")],
)
def test_an_unknown_strength_is_400_per_field_in_both_languages(
    api_client, bundled, language, prefix, words
):
    need = slag_need()
    response = api_client.get(
        f"/api/v1/needs/{need.pk}/matches/",
        {"strength": "strong,bogus"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert list(body["fields"]) == ["strength"]
    [message] = body["fields"]["strength"]
    assert message.startswith(prefix) and words in message and "bogus" in message


def test_research_result_matches_filter_on_strength(api_client, bundled, settings):
    from tests.bundled import reindex

    slag_need()
    reindex()
    result = ResearchResult.objects.get(source_id="R0012")
    url = f"/api/v1/research-results/{result.pk}/matches/"
    settings.MATCHING_STRENGTH = {"strong": 0.0, "possible": 0.0}
    strong = api_client.get(url, {"strength": "strong"}).json()
    assert strong["count"] >= 1 and {r["strength"] for r in strong["results"]} == {"strong"}
    assert api_client.get(url, {"strength": "weak"}).json()["count"] == 0
    assert api_client.get(url, {"strength": "very"}).status_code == 400


def test_the_schema_documents_strength_and_its_filter():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert components["StrengthEnum"]["enum"] == ["strong", "possible", "weak"]
    match = components["Match"]
    assert match["properties"]["strength"]["allOf"] == [
        {"$ref": "#/components/schemas/StrengthEnum"}
    ]
    assert "strength" in match["required"]
    for path in ("/api/v1/needs/{id}/matches/", "/api/v1/research-results/{id}/matches/"):
        operation = schema["paths"][path]["get"]
        [parameter] = [p for p in operation["parameters"] if p["name"] == "strength"]
        assert parameter["in"] == "query" and not parameter.get("required", False)
        assert parameter["schema"]["type"] == "array"
        assert parameter["schema"]["items"]["enum"] == ["strong", "possible", "weak"]
        assert "400" in operation["responses"] and "503" in operation["responses"]


def test_a_match_page_reads_its_owners_in_one_query_and_names_each(api_client, bundled):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    need = slag_need()
    url = f"/api/v1/needs/{need.pk}/matches/"
    with CaptureQueriesContext(connection) as queries:
        answer = api_client.get(url, {"page_size": 5}).json()
    owners = [
        q["sql"] for q in queries.captured_queries if 'FROM "marketplace_organization"' in q["sql"]
    ]
    assert len(owners) == 1
    shown = ResearchResult.objects.filter(pk__in=[r["id"] for r in answer["results"]])
    names = {r.pk: r.owner.legal_name for r in shown.select_related("owner")}
    assert len(answer["results"]) == 5
    assert all(r["owner"] == names[r["id"]] for r in answer["results"])


def test_an_error_quoting_what_was_sent_leaves_out_invisible_and_bidi_characters(
    api_client, bundled
):
    need = slag_need()
    response = api_client.get(
        f"/api/v1/needs/{need.pk}/matches/", {"strength": "\u202egnorts\u0000"}
    )
    assert response.status_code == 400
    [message] = response.json()["fields"]["strength"]
    assert "“gnorts”" in message and "\u202e" not in response.json()["message"]
