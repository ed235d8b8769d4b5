"""GET /api/v1/search/, keeping the index up to date on commit, and `manage.py update_index`,
on the real bundled listings with the configured default backend."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from marketplace.choices import Field, ListingStatus, TransferMode
from marketplace.models import ResearchResult, TechnologyNeed
from matching.search import get_search_backend
from matching.search.backends.base import IndexDocument
from matching.search.documents import document_for
from tests.matching.es_support import embedded_config
from tests.matching.search_support import (
    all_listings,
    key,
    listing_text,
    load_real_listings,
    remove_real_listings,
)

URL = "/api/v1/search/"


@pytest.fixture(scope="module")
def real_listings(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_real_listings()
    yield
    with django_db_blocker.unblock():
        remove_real_listings()


@pytest.fixture
def client(api_client, real_listings, db):
    return api_client


def result(source_id: str) -> ResearchResult:
    return ResearchResult.objects.get(source_id=source_id)


def found(response) -> set[tuple[str, int]]:
    return {(row["type"], row["id"]) for row in response.json()["results"]}


@pytest.fixture
def search_storage_away(db, settings, tmp_path):
    """A real outage of the embedded backend's storage: its index directory cannot be read
    or created (a plain file stands where its parent directory should be). The embedded
    backend is the only one for these tests (the Elasticsearch outage is tested against a
    stopped node in test_es_outage.py)."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("the index directory cannot be made here")
    settings.SEARCH_BACKENDS = {"default": {**embedded_config(), "PATH": str(blocker / "index")}}


# --- the API --------------------------------------------------------------------------------
def test_search_url_is_api_v1_search() -> None:
    assert reverse("api-search") == URL


def test_search_returns_ranked_highlighted_hits_with_listing_cards(client) -> None:
    response = client.get(URL, {"q": "储能"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results", "facets", "match_mode"}
    assert body["match_mode"] == "all_words"
    expected = {key(item) for item in all_listings() if "储能" in listing_text(item)}
    assert body["count"] >= len(expected)
    assert expected <= found(response)
    first = body["results"][0]
    assert set(first) == {"type", "id", "title", "score", "highlights", "listing"}
    assert first["score"] > 0
    snippets = [s for field_snippets in first["highlights"].values() for s in field_snippets]
    assert any("<mark>储能</mark>" in snippet for snippet in snippets)
    model = ResearchResult if first["type"] == "result" else TechnologyNeed
    item = model.objects.select_related("owner").get(pk=first["id"])
    assert first["listing"] == {
        "title": item.title,
        "title_en": item.title_en,
        "field": item.field,
        "province": item.province,
        "city": item.city,
        "trl": item.trl,
        "owner_name": item.owner.legal_name,
        "url": f"/{'results' if first['type'] == 'result' else 'needs'}/{item.pk}/",
    }
    assert "confidential_details" not in str(body)


def test_english_query_finds_chinese_listings(client) -> None:
    response = client.get(URL, {"q": "hydrogen"})
    assert response.status_code == 200
    assert key(result("R0110")) in found(response)  # 氢能源充装压缩机
    assert key(result("R0165")) in found(response)  # 高效率氢燃料电池发动机系统


def test_filters_and_facets_agree_with_the_database(client) -> None:
    response = client.get(
        URL, {"type": "result", "field": Field.NEW_ENERGY, "trl_min": 6, "page_size": 100}
    )
    assert response.status_code == 200
    expected = ResearchResult.objects.filter(
        status=ListingStatus.PUBLISHED, field=Field.NEW_ENERGY, trl__gte=6
    )
    assert response.json()["count"] == expected.count()
    assert found(response) == {key(item) for item in expected}
    facets = response.json()["facets"]
    assert facets["kind"] == {"result": expected.count()}
    assert facets["field"] == {Field.NEW_ENERGY: expected.count()}


def test_a_province_given_by_its_full_name_filters_as_its_short_name(client) -> None:
    short = client.get(URL, {"province": "河北", "page_size": 100}).json()
    full = client.get(URL, {"province": "河北省,河北", "page_size": 100}).json()
    assert short["count"] > 0 and full["count"] == short["count"]


def test_list_parameters_accept_commas_and_repeats(client) -> None:
    commas = client.get(URL, {"province": "河北,山西", "page_size": 100})
    repeats = client.get(f"{URL}?province=河北&province=山西&page_size=100")
    expected = {key(item) for item in all_listings() if item.province in {"河北", "山西"}}
    assert 0 < len(expected) <= 100
    assert commas.json()["count"] == repeats.json()["count"] == len(expected)
    assert found(commas) == found(repeats) == expected


def test_mode_and_price_filters(client) -> None:
    response = client.get(URL, {"mode": TransferMode.LICENCE, "price_min": "5000000"})
    assert response.status_code == 200
    assert found(response) == {key(result("R0033"))}  # licence, 10 M CNY


def test_search_paginates_like_every_list(client) -> None:
    first = client.get(URL, {"q": "材料", "page": 1, "page_size": 5}).json()
    second = client.get(URL, {"q": "材料", "page": 2, "page_size": 5}).json()
    both = client.get(URL, {"q": "材料", "page": 1, "page_size": 10}).json()
    assert first["count"] == second["count"] == both["count"] > 10
    assert len(first["results"]) == len(second["results"]) == 5
    assert first["previous"] is None and "page=2" in first["next"]
    assert "page_size=5" in first["next"] and second["previous"]
    assert [r["id"] for r in first["results"] + second["results"]] == [
        r["id"] for r in both["results"]
    ]


def test_search_last_page_and_page_past_the_end(client) -> None:
    count = client.get(URL, {"q": "材料", "page_size": 5}).json()["count"]
    pages = -(-count // 5)
    last = client.get(URL, {"q": "材料", "page_size": 5, "page": "last"})
    numbered = client.get(URL, {"q": "材料", "page_size": 5, "page": pages})
    assert last.status_code == numbered.status_code == 200
    assert last.json()["results"] == numbered.json()["results"]
    assert last.json()["next"] is None and len(last.json()["results"]) == count - 5 * (pages - 1)
    # A number Python's int() refuses (over 4,300 characters, zeros included) is a bad page too.
    for page in (pages + 1, 0, "x", "9" * 5000, "0" * 5000 + "2"):
        past = client.get(URL, {"q": "材料", "page_size": 5, "page": page})
        assert past.status_code == 404
        assert set(past.json()) == {"message", "code", "fields"}


@pytest.mark.parametrize("page_size", ["0", "-3", "x", "1.5", ""])
def test_bad_search_page_sizes_fall_back_to_the_default(client, page_size) -> None:
    response = client.get(URL, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 20


def test_search_page_size_is_capped_at_100(client) -> None:
    response = client.get(URL, {"page_size": "1000"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_search_on_an_empty_index_answers_an_empty_first_page(client) -> None:
    response = client.get(URL, {"q": "zzqxj-no-such-word"})
    assert response.status_code == 200
    assert response.json()["count"] == 0 and response.json()["results"] == []
    assert client.get(URL, {"q": "zzqxj-no-such-word", "page": 2}).status_code == 404


def test_invalid_utf8_in_the_query_answers_400(client) -> None:
    response = client.get(f"{URL}?q=%ff")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_encoding" and "q" in body["fields"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "company"}, "type"),
        ({"field": "alchemy"}, "field"),
        ({"field": "new_energy,alchemy"}, "field"),
        ({"stage": "dream"}, "stage"),
        ({"mode": "gift"}, "mode"),
        ({"trl_min": "0"}, "trl_min"),
        ({"trl_max": "10"}, "trl_max"),
        ({"trl_min": "x"}, "trl_min"),
        ({"trl_min": "7", "trl_max": "3"}, "trl_max"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_min": "abc"}, "price_min"),
        ({"price_min": "9", "price_max": "1"}, "price_max"),
        ({"q": "储" * 201}, "q"),
    ],
)
def test_bad_parameters_answer_400_in_the_shared_error_shape(client, params, field) -> None:
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert field in body["fields"]
    assert body["fields"][field]


@pytest.fixture
def restore_index() -> Iterator[list[IndexDocument]]:
    """Documents of listings as they were before the test changed them, indexed again
    afterwards (the index does not roll back with the test's transaction)."""
    touched: list[IndexDocument] = []
    yield touched
    get_search_backend().index(touched)


def test_unpublished_and_expired_listings_are_not_returned(
    client, django_capture_on_commit_callbacks, restore_index
) -> None:
    archived, expired = result("R0110"), result("R0165")
    restore_index.extend([document_for(archived), document_for(expired)])
    assert {key(archived), key(expired)} <= found(client.get(URL, {"q": "氢能"}))
    with django_capture_on_commit_callbacks(execute=True):
        archived.status = ListingStatus.ARCHIVED
        archived.save()
        expired.renewed_at = expired.renewed_at.replace(year=expired.renewed_at.year - 2)
        expired.save()
    response = client.get(URL, {"q": "氢能"})
    assert key(archived) not in found(response)
    assert key(expired) not in found(response)
    assert response.json()["count"] > 0


def test_editing_a_title_changes_search_results_after_commit(
    client, django_capture_on_commit_callbacks, restore_index
) -> None:
    item = result("R0102")
    restore_index.append(document_for(item))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item.title = "磁悬浮鼓风机"
        item.save()
    assert callbacks, "indexing waits for the commit"
    assert key(item) not in found(client.get(URL, {"q": "磁悬浮鼓风机"}))
    for callback in callbacks:
        callback()
    response = client.get(URL, {"q": "磁悬浮鼓风机"})
    assert response.json()["results"][0]["id"] == item.pk
    assert response.json()["results"][0]["highlights"]["title"] == ["<mark>磁悬浮鼓风机</mark>"]


def test_deleting_a_listing_removes_it_after_commit(
    client, django_capture_on_commit_callbacks, restore_index
) -> None:
    item = result("R0012")
    target, document, title = key(item), document_for(item), item.title
    restore_index.append(document)
    with django_capture_on_commit_callbacks(execute=True):
        item.delete()
    assert target not in found(client.get(URL, {"q": "钢渣"}))
    assert target not in found(client.get(URL, {"q": title}))


def test_search_outage_answers_503(client, search_storage_away) -> None:
    response = client.get(URL, {"q": "储能"})
    assert response.status_code == 503
    assert response.json() == {
        "message": "Search is not available at the moment. Please try again later.",
        "code": "service_unavailable",
        "fields": {},
    }


def test_writes_succeed_when_search_is_down(
    client, search_storage_away, django_capture_on_commit_callbacks, caplog
) -> None:
    item = result("R0099")
    with (
        caplog.at_level(logging.WARNING, logger="matching.signals"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        item.title = "百兆瓦级光伏电站（更新）"
        item.save()
    item.refresh_from_db()
    assert item.title == "百兆瓦级光伏电站（更新）"
    assert any("not indexed" in record.getMessage() for record in caplog.records)


def test_schema_documents_the_search_parameters(client) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"][URL]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {
        "q",
        "type",
        "field",
        "province",
        "city",
        "trl_min",
        "trl_max",
        "stage",
        "mode",
        "price_min",
        "price_max",
        "page",
        "page_size",
    } <= names
    assert {"200", "400", "404", "503"} <= set(operation["responses"])
    error = operation["responses"]["503"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    shape = response.json()["components"]["schemas"]["Error"]
    assert set(shape["properties"]) == {"message", "code", "fields"}


# --- update_index -------------------------------------------------------------------------
def test_update_index_rebuilds_and_prints_counts(real_listings, db) -> None:
    get_search_backend().rebuild([])
    assert get_search_backend().count() == 0
    out = StringIO()
    call_command("update_index", "--no-progress", stdout=out)
    text = out.getvalue()
    results = ResearchResult.objects.filter(status=ListingStatus.PUBLISHED).count()
    needs = TechnologyNeed.objects.filter(status=ListingStatus.PUBLISHED).count()
    assert f"research results: {results} indexed, {results} searchable" in text
    assert f"technology needs: {needs} indexed, {needs} searchable" in text
    assert "Search index rebuilt." in text
    assert get_search_backend().count() == results + needs


def test_update_index_counts_expired_listings_apart(real_listings, db) -> None:
    item = result("R0001")
    item.renewed_at = item.renewed_at.replace(year=item.renewed_at.year - 2)
    item.save()
    out = StringIO()
    call_command("update_index", "--no-progress", stdout=out)
    results = ResearchResult.objects.filter(status=ListingStatus.PUBLISHED).count()
    assert (
        f"research results: {results} indexed, {results - 1} searchable (not expired), "
        f"{results - 1} in the index" in out.getvalue()
    )
