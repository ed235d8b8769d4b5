"""The search box when no listing has the words typed (matching.search.fallback): listings
with some of the words, else the nearest in meaning, each labelled, filters kept; on every
configured backend (the embedded one always, Elasticsearch when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import Field
from matching.search import get_search_backend
from matching.search.backends.base import QueryVector, SearchQuery
from matching.search.fallback import MatchMode, search_listings
from matching.semantic.embedders import get_embedder
from tests import factories
from tests.bundled import reindex
from tests.matching.es_support import (
    backend_params,
    backends_for_tests,
    embedded_config,
    es_test_prefix,  # noqa: F401
)
from tests.matching.test_semantic import OTHERS, SLAG, _results

pytestmark = pytest.mark.django_db

URL = "/api/v1/search/"


@pytest.fixture(params=backend_params())
def backend_name(request, es_test_prefix) -> Iterator[str]:  # noqa: F811
    """Each configured backend in turn as the default one."""
    if request.param == "embedded":
        with override_settings(SEARCH_BACKENDS=backends_for_tests(default=embedded_config())):
            yield "embedded"
    else:
        yield "elasticsearch"


@pytest.fixture
def slag_results(backend_name) -> dict[str, int]:
    """The slag result and three others (tests.matching.test_semantic), indexed on the
    backend of `backend_name` (with their vectors in tests marked `semantic`)."""
    made = _results()
    reindex()
    return made


def _api(**params: str) -> dict:
    response = Client().get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def _titles(body: dict) -> list[str]:
    return [row["title"] for row in body["results"]]


def test_a_query_that_matches_as_typed_says_all_words(slag_results) -> None:
    body = _api(q="钢渣", type="result")
    assert body["match_mode"] == "all_words" and _titles(body) == [SLAG[0]]


def test_when_no_listing_has_all_the_words_those_with_some_of_them_are_shown(slag_results) -> None:
    made = slag_results
    body = _api(q="钢渣堆积如山", type="result")
    assert body["match_mode"] == "some_words"
    assert _titles(body) == [SLAG[0]] and body["count"] == 1
    # Facets count the relaxed hits, and the page says what happened.
    assert body["facets"]["field"] == {Field.ENERGY_SAVING.value: 1}
    page = Client().get(reverse("home"), {"q": "钢渣堆积如山"})
    assert 'data-match-mode="some_words"' in page.content.decode()
    assert reverse("result-detail", args=[made[SLAG[0]]]) in page.content.decode()


def test_the_relaxed_query_keeps_the_filters(slag_results) -> None:
    body = _api(q="钢渣堆积如山", type="result", field=Field.BIOMEDICINE.value)
    assert body["count"] == 0 and body["match_mode"] == "all_words"


def test_without_an_embedder_a_query_no_listing_has_a_word_of_finds_nothing(slag_results) -> None:
    body = _api(q="炼钢副产物没处放", type="result")
    assert body == {**body, "count": 0, "results": [], "match_mode": "all_words"}


@pytest.mark.semantic
def test_a_problem_in_words_no_listing_uses_finds_the_technology_by_meaning(slag_results) -> None:
    made = slag_results
    body = _api(q="炼钢副产物堆存", type="result")
    assert body["match_mode"] == "meaning"
    assert _titles(body)[0] == SLAG[0]
    assert all(-1.0 <= row["score"] <= 1.0 for row in body["results"])
    page = Client().get(reverse("home"), {"q": "炼钢副产物堆存"}).content.decode()
    assert 'data-match-mode="meaning"' in page
    assert reverse("result-detail", args=[made[SLAG[0]]]) in page


@pytest.mark.semantic
def test_gibberish_finds_nothing_by_meaning(slag_results) -> None:
    body = _api(q="asdfgh", type="result")
    assert body["count"] == 0 and body["match_mode"] == "all_words"


@pytest.mark.semantic
def test_nearest_listings_apply_every_filter_and_both_kinds(backend_name) -> None:
    made = _results()
    expired = factories.ResearchResultFactory(
        title="钢渣气淬处理成套设备", keywords=SLAG[1], field=Field.ENERGY_SAVING
    )
    need = factories.TechnologyNeedFactory(
        title="钢渣气淬技术需求", keywords=SLAG[1], field=Field.ENERGY_SAVING
    )
    # Renewed more than LISTING_RENEWAL_DAYS ago: expired, so out of search.
    type(expired).objects.filter(pk=expired.pk).update(
        renewed_at=timezone.now() - timedelta(days=settings.LISTING_RENEWAL_DAYS + 1)
    )
    reindex()
    embedder = get_embedder()
    assert embedder is not None
    vector = QueryVector(tuple(float(x) for x in embedder.query(SLAG[0])), embedder.name)
    backend = get_search_backend()
    both = backend.nearest_listings(vector, SearchQuery(), 10)
    assert {(h.kind, h.object_id) for h in both} == {
        *(("result", pk) for pk in made.values()),
        ("need", need.pk),
    }
    assert [h.score for h in both] == sorted((h.score for h in both), reverse=True)
    results = backend.nearest_listings(vector, SearchQuery(kind="result"), 10)
    assert results[0].object_id == made[SLAG[0]] and len(results) == 1 + len(OTHERS)
    other_field = SearchQuery(kind="result", fields=[Field.BIOMEDICINE.value])
    assert backend.nearest_listings(vector, other_field, 10) == []
    excluded = SearchQuery(kind="result", exclude=[("result", made[SLAG[0]])])
    rest = backend.nearest_listings(vector, excluded, 10)
    assert made[SLAG[0]] not in {h.object_id for h in rest}


@pytest.mark.semantic
def test_a_page_beyond_the_meaning_hits_is_empty(slag_results) -> None:
    found = search_listings(SearchQuery(text="炼钢副产物堆存", kind="result", page=9))
    assert found.mode is MatchMode.MEANING and found.results.hits == []
    assert found.results.total > 0


@pytest.mark.semantic
def test_every_try_keeps_the_filters(slag_results) -> None:
    for text in ("钢渣堆积如山", "炼钢副产物堆存"):  # relaxed, then by meaning: nothing passes
        body = _api(q=text, type="result", field=Field.BIOMEDICINE.value)
        assert body["count"] == 0 and body["match_mode"] == "all_words"


@pytest.mark.semantic
def test_the_api_pages_the_hits_found_by_meaning_like_any_list(slag_results) -> None:
    first = _api(q="炼钢副产物堆存", type="result", page_size="2")
    assert first["match_mode"] == "meaning" and len(first["results"]) == 2
    assert first["count"] > 2 and first["next"] and first["facets"] == {}
    last = -(-first["count"] // 2)
    final = _api(q="炼钢副产物堆存", type="result", page_size="2", page=str(last))
    assert final["next"] is None and final["match_mode"] == "meaning"
    seen = Client().get(URL, {"q": "炼钢副产物堆存", "type": "result", "page": str(last + 1),
                              "page_size": "2"})  # fmt: skip
    assert seen.status_code == 404


@pytest.mark.semantic
def test_only_a_querys_first_64_characters_are_embedded(slag_results) -> None:
    start = "炼钢副产物堆存" + "，" * 57  # 64 characters
    short = search_listings(SearchQuery(text=start, kind="result"))
    long = search_listings(SearchQuery(text=start + "无关的长尾文字" * 20, kind="result"))
    assert short.mode is long.mode is MatchMode.MEANING
    assert short.results.hits == long.results.hits


# --- the relaxed hits ordered by meaning (matching.search.meaning_rerank) ----------------------
@pytest.fixture
def byproduct_results(backend_name) -> dict[str, int]:
    """Three results, each with one word of "炼钢副产物堆存": the slag one (炼钢), an enzyme
    one naming 副产物 twice (first by BM25), and a tailings one (堆存), indexed."""
    made = {
        "slag": factories.ResearchResultFactory(
            title="钢渣气淬处理技术", keywords=["钢渣", "气淬", "固废资源化"],
            summary="炼钢产生的高温钢渣经气淬粒化后用作建材原料。", field=Field.ENERGY_SAVING,
        ).pk,
        "enzyme": factories.ResearchResultFactory(
            title="腈水合酶液态酶制备", keywords=["生物催化", "丙烯酰胺"],
            summary="生物法生产丙烯酰胺，副产物少；副产物可回收。", field=Field.BIOMEDICINE,
        ).pk,
        "tailings": factories.ResearchResultFactory(
            title="尾矿库在线监测系统", keywords=["尾矿", "监测"],
            summary="尾矿堆存场地的位移与渗流在线监测。", field=Field.ENERGY_SAVING,
        ).pk,
    }  # fmt: skip
    reindex()
    return made


def _relaxed_bm25(text: str) -> list[int]:
    found = get_search_backend().search(SearchQuery(text=text, kind="result", relaxed=True))
    return [hit.object_id for hit in found.hits]


def _ids(body: dict) -> list[int]:
    return [row["id"] for row in body["results"]]


def test_without_an_embedder_the_relaxed_hits_keep_bm25s_order(byproduct_results) -> None:
    body = _api(q="炼钢副产物堆存", type="result")
    assert body["match_mode"] == "some_words"
    assert _ids(body) == _relaxed_bm25("炼钢副产物堆存")
    assert _ids(body)[0] == byproduct_results["enzyme"]


@pytest.mark.semantic
def test_the_relaxed_hits_are_ordered_by_the_querys_meaning(byproduct_results) -> None:
    made = byproduct_results
    assert _relaxed_bm25("炼钢副产物堆存")[0] == made["enzyme"]
    body = _api(q="炼钢副产物堆存", type="result")
    assert body["match_mode"] == "some_words" and body["count"] == 3
    assert _ids(body)[0] == made["slag"]
    assert sorted(_ids(body)) == sorted(made.values())
    assert body["facets"]["field"] == {Field.ENERGY_SAVING.value: 2, Field.BIOMEDICINE.value: 1}


@pytest.mark.semantic
def test_pages_after_the_reordered_window_keep_bm25s_order_and_none_overlaps(
    byproduct_results, monkeypatch
) -> None:
    from matching.search import meaning_rerank

    monkeypatch.setattr(meaning_rerank, "RERANK_WINDOW", 2)  # two pages of one hit
    pages = [
        _ids(_api(q="炼钢副产物堆存", type="result", page_size="1", page=str(page)))
        for page in (1, 2, 3)
    ]
    bm25 = _relaxed_bm25("炼钢副产物堆存")
    assert sorted(pages[0] + pages[1]) == sorted(bm25[:2])  # the window: BM25's first two
    assert pages[2] == bm25[2:]  # after it, BM25's third


@pytest.mark.semantic
def test_a_backend_page_cap_below_the_window_shrinks_it_to_the_pages_returned(
    byproduct_results, monkeypatch
) -> None:
    from matching.search.fallback import _query_vector
    from matching.search.meaning_rerank import relaxed_by_meaning

    bm25 = _relaxed_bm25("炼钢副产物堆存")
    backend = get_search_backend()
    monkeypatch.setattr(backend, "max_page_size", 2)  # the window would be 100 pages of 1
    embedder = get_embedder()
    assert embedder is not None
    vector = _query_vector(embedder.name, "炼钢副产物堆存")
    query = SearchQuery(text="炼钢副产物堆存", kind="result", relaxed=True, page_size=1)
    pages = [
        relaxed_by_meaning(backend, replace(query, page=page), lambda: vector) for page in (1, 2, 3)
    ]
    assert [p.total for p in pages] == [3, 3, 3]
    ids = [hit.object_id for p in pages for hit in p.hits]
    assert sorted(ids[:2]) == sorted(bm25[:2]) and ids[2:] == bm25[2:]
