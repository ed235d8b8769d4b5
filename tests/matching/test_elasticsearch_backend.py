"""The Elasticsearch backend on a real node: mappings and analysis, the index lifecycle
(versioned indices behind an alias, atomic swap, writes during a rebuild), synonyms from the
versioned file, autocomplete (also on the embedded backend), outages, and evaluate_matching.

Needs ELASTICSEARCH_URL (tests are skipped with the reason otherwise), except the embedded
half of the autocomplete tests. Runs under the per-session index prefix of
`tests.matching.es_support`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import include, path, reverse

from marketplace.models import ResearchResult, TechnologyNeed
from matching.search import analysis, get_search_backend
from matching.search import segment as segmentation
from matching.search.backends.base import (
    BaseSearchBackend,
    IndexDocument,
    SearchQuery,
    SearchUnavailable,
)
from matching.search.documents import document_for, documents_for_all
from tests.bundled import NEEDS, QRELS
from tests.matching.es_support import (
    ES_URL,
    SKIP_REASON,
    TEST_PREFIX,
    backends_for_tests,
    drop_test_indices,
    embedded_config,
    es_config,
    es_test_prefix,  # noqa: F401
    needs_es,
)
from tests.matching.search_support import (
    index_document,
    key,
    load_real_listings,
    remove_real_listings,
)


def requires_es(test: Any) -> Any:
    """Marks `test` `elasticsearch` and skips it with the reason when no node is configured."""
    return pytest.mark.elasticsearch(pytest.mark.skipif(not ES_URL, reason=SKIP_REASON)(test))


#: This module is also the URLconf of the API tests: the site's, plus matching's API routes with
#: the autocomplete route (which the root URLconf includes too).
urlpatterns = [
    path("api/v1/", include("matching.api_urls")),
    path("", include("marketplace.urls")),
]

SUGGEST_URL = "/api/v1/search/suggest/"
SEARCH_URL = "/api/v1/search/"


@pytest.fixture(scope="module")
def real_listings(django_db_setup, django_db_blocker, es_test_prefix) -> Iterator[None]:  # noqa: F811
    with django_db_blocker.unblock():
        load_real_listings()
    yield
    with django_db_blocker.unblock():
        remove_real_listings()


@pytest.fixture
def es(real_listings, db):
    """The Elasticsearch backend with the bundled listings indexed; rebuilt from the
    database afterwards (tests here change and rebuild the index)."""
    if not ES_URL:
        pytest.skip("Elasticsearch is not configured (set ELASTICSEARCH_URL)")
    backend = get_search_backend("elasticsearch")
    yield backend
    backend.rebuild(documents_for_all())


def listing(source_id: str) -> ResearchResult | TechnologyNeed:
    model = ResearchResult if source_id.startswith("R") else TechnologyNeed
    return model.objects.get(source_id=source_id)


def found(backend: BaseSearchBackend, text: str) -> set[tuple[str, int]]:
    hits = backend.search(SearchQuery(text=text, page_size=100, with_facets=False)).hits
    return {(hit.kind, hit.object_id) for hit in hits}


# --- analysis and mapping ----------------------------------------------------------------------
def test_terms_survive_the_standard_tokenizer_as_one_token() -> None:
    from matching.search.backends.elasticsearch.mapping import decode_term, encode_term

    for term in ["储能", "li-ion", "co2", "3.5%", "x射线", "c++"]:
        encoded = encode_term(term)
        assert decode_term(encoded) == term
        assert encoded == term or encoded.startswith("_")
    assert encode_term("battery") == "battery"


@requires_es
def test_index_uses_cjk_bigrams_our_segmentation_keywords_and_completion(es) -> None:
    from matching.search.backends.elasticsearch.mapping import seg_text

    (name,) = es.live_indices()
    mapping = es.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
    assert mapping["title"]["analyzer"] == "cjk"
    assert mapping["seg"]["properties"]["title"]["analyzer"] == "keqiao_seg"
    assert mapping["field"]["type"] == "keyword"
    assert mapping["owner_name"]["fields"]["keyword"]["type"] == "keyword"
    assert mapping["suggest"]["type"] == "completion"
    # The segmented field holds exactly the embedded backend's terms.
    terms = segmentation.index_terms("储能电池热管理系统")
    tokens = es.client.indices.analyze(index=name, analyzer="keqiao_seg", text=seg_text(terms))
    assert [t["token"] for t in tokens["tokens"]] == [seg_text([t]) for t in terms]
    grams = es.client.indices.analyze(index=name, analyzer="cjk", text="储能电池")
    assert [t["token"] for t in grams["tokens"]] == ["储能", "能电", "电池"]


@requires_es
def test_synonyms_of_the_file_are_inline_in_the_index_settings(es) -> None:
    from matching.search.backends.elasticsearch.mapping import seg_text

    (name,) = es.live_indices()
    analysis = es.client.indices.get_settings(index=name)[name]["settings"]["index"]["analysis"]
    rules = analysis["filter"]["keqiao_seg_syn_filter"]["synonyms"]
    assert any(seg_text(["储能"]) in rule and "energy storage" in rule for rule in rules)
    one_way = [rule for rule in rules if "=>" in rule]
    assert one_way, "one-way rules are kept as one-way rules"
    expanded = es.client.indices.analyze(
        index=name, analyzer="keqiao_seg_syn", text=seg_text(["energy", "storage"])
    )
    assert seg_text(["储能"]) in {t["token"] for t in expanded["tokens"]}


# --- index lifecycle ---------------------------------------------------------------------------
class PausedDocuments:
    """Documents for rebuild() that stop half-way until `release()`: the test acts while the
    new index is half-built. `late` documents are yielded after the pause."""

    def __init__(self, documents: list[IndexDocument], late: list[IndexDocument] = ()) -> None:  # type: ignore[assignment]
        self.documents = documents
        self.late = list(late)
        self.paused = threading.Event()
        self.resume = threading.Event()

    def __iter__(self) -> Iterator[IndexDocument]:
        half = len(self.documents) // 2
        yield from self.documents[:half]
        self.paused.set()
        assert self.resume.wait(60), "the test never released the rebuild"
        yield from self.documents[half:]
        yield from self.late

    def release(self) -> None:
        self.resume.set()


def rebuild_in_background(
    backend: BaseSearchBackend, documents: PausedDocuments
) -> tuple[threading.Thread, dict[str, object]]:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["count"] = backend.rebuild(documents, progress=lambda n: None)
        except BaseException as exc:  # reported by the test
            outcome["error"] = exc
        finally:
            # The rebuild reads the database in this thread: its connection is this thread's
            # own and must be closed here, or PostgreSQL cannot drop the test database.
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert documents.paused.wait(60), "the rebuild did not start"
    return thread, outcome


@requires_es
def test_searches_during_a_rebuild_answer_from_the_old_index(es) -> None:
    target = listing("R0102")  # 大型轧机轴承载荷均布新型机构
    before = es.search(SearchQuery(page_size=1)).total
    documents = [
        replace(d, title="磁悬浮风机") if (d.kind, d.object_id) == key(target) else d
        for d in documents_for_all()
    ]
    paused = PausedDocuments(documents)
    thread, outcome = rebuild_in_background(es, paused)
    try:
        # Half of the new index is loaded: searches still see the whole old one.
        assert es.search(SearchQuery(page_size=1)).total == before
        assert key(target) in found(es, "轧机轴承载荷均布")
        assert not found(es, "磁悬浮风机")
        assert len(es.live_indices()) == 1
    finally:
        paused.release()
        thread.join(60)
    assert "error" not in outcome, outcome
    assert outcome["count"] == len(documents)
    assert key(target) in found(es, "磁悬浮风机")
    assert es.search(SearchQuery(page_size=1)).total == before


@requires_es
def test_alias_swap_is_atomic_and_old_versions_are_deleted(es) -> None:
    (old,) = es.live_indices()
    expected = es.search(SearchQuery(page_size=1)).total
    totals: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        try:
            while not stop.is_set():
                totals.append(es.search(SearchQuery(page_size=1, with_facets=False)).total)
        finally:
            connections.close_all()

    watcher = threading.Thread(target=keep_searching, daemon=True)
    watcher.start()
    try:
        for _ in range(3):
            es.rebuild(documents_for_all())
    finally:
        stop.set()
        watcher.join(30)
    # Never an empty, half-built or doubled index: every search saw all listings once.
    assert len(totals) > 3
    assert set(totals) == {expected}
    (new,) = es.live_indices()
    assert new != old
    versions = es.client.indices.get_alias(index=f"{TEST_PREFIX}-listings-v*")
    assert set(versions) == {new}, "old versions are deleted"
    assert set(versions[new]["aliases"]) == {f"{TEST_PREFIX}-listings"}


@requires_es
def test_writes_during_a_rebuild_reach_the_new_index(es) -> None:
    changed, deleted = listing("R0110"), listing("R0012")
    stale = {key(changed), key(deleted)}
    documents = [d for d in documents_for_all() if (d.kind, d.object_id) not in stale]
    # The rebuild read R0110 and R0012 before the writes below and loads them after them.
    late = [document_for(changed), document_for(deleted)]
    paused = PausedDocuments(documents, late)
    thread, outcome = rebuild_in_background(es, paused)
    try:
        es.index([replace(document_for(changed), title="超导磁体储氢罐")])
        es.delete("result", [deleted.pk])
        # The live (old) index has the writes at once.
        assert key(changed) in found(es, "超导磁体储氢罐")
        assert key(deleted) not in found(es, "钢渣")
    finally:
        paused.release()
        thread.join(60)
    assert "error" not in outcome, outcome
    # The new index kept the newer writes, not the rebuild's older copies.
    assert key(changed) in found(es, "超导磁体储氢罐")
    assert key(deleted) not in found(es, "钢渣")
    assert es.count("result") == ResearchResult.objects.count() - 1
    (name,) = es.live_indices()
    es.client.indices.refresh(index=name)
    tombstones = es.client.count(index=name, query={"term": {"tombstone": True}})["count"]
    assert tombstones == 0, "tombstones are removed after the swap"


@requires_es
def test_a_failed_rebuild_leaves_the_live_index_alone(es) -> None:
    (live,) = es.live_indices()
    before = es.search(SearchQuery(page_size=1)).total

    def broken() -> Iterator[IndexDocument]:
        yield from list(documents_for_all())[:10]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        es.rebuild(broken())
    assert es.live_indices() == [live]
    assert es.search(SearchQuery(page_size=1)).total == before
    versions = es.client.indices.get_alias(index=f"{TEST_PREFIX}-listings-v*")
    assert set(versions) == {live}, "the unfinished index is deleted"


@requires_es
def test_extending_the_synonym_file_and_running_update_index_makes_it_effective(
    real_listings, db, tmp_path: Path
) -> None:
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text(analysis.SYNONYMS_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    prefix = f"{TEST_PREFIX}-syn"
    backends = backends_for_tests(synonyms=es_config(prefix, SYNONYMS_PATH=str(synonyms)))
    uavs = {key(listing(s)) for s in ("R0001", "R0003", "R0014")}  # 无人机 listings
    try:
        with override_settings(SEARCH_BACKENDS=backends):
            backend = get_search_backend("synonyms")
            call_command(
                "update_index", "--backend", "synonyms", "--no-progress", stdout=StringIO()
            )
            assert not found(backend, "rotorcraft")

            with synonyms.open("a", encoding="utf-8") as out:
                out.write("\n无人机, rotorcraft\n")
            # The live index keeps the synonyms it was built with until update_index runs.
            assert not found(backend, "rotorcraft")
            call_command(
                "update_index", "--backend", "synonyms", "--no-progress", stdout=StringIO()
            )
            assert uavs <= found(backend, "rotorcraft")
            hit = backend.search(SearchQuery(text="rotorcraft")).hits[0]
            snippets = " ".join(s for v in hit.highlights.values() for s in v)
            assert "<mark>无人机</mark>" in snippets
    finally:
        drop_test_indices(prefix)


# --- autocomplete ------------------------------------------------------------------------------
@pytest.fixture(params=[pytest.param("embedded"), pytest.param("elasticsearch", marks=needs_es)])
def suggest_client(request, real_listings, db, api_client, settings):
    """An API client with `request.param` as the default backend and the test URLconf."""
    embedded = embedded_config()
    if request.param == "elasticsearch":
        settings.SEARCH_BACKENDS = {"default": es_config(), "embedded": embedded}
    else:
        settings.SEARCH_BACKENDS = {"default": embedded}
    settings.ROOT_URLCONF = __name__
    return api_client


def test_suggest_url_is_under_api_v1_search(settings) -> None:
    settings.ROOT_URLCONF = __name__
    assert reverse("api-search-suggest") == SUGGEST_URL


def test_suggest_completes_titles_and_keywords(suggest_client) -> None:
    response = suggest_client.get(SUGGEST_URL, {"q": "氢能"})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert suggestions and len(suggestions) <= 10
    for suggestion in suggestions:
        assert set(suggestion) == {"text", "type", "id"}
        assert suggestion["text"].startswith("氢能")
        model = ResearchResult if suggestion["type"] == "result" else TechnologyNeed
        item = model.objects.get(pk=suggestion["id"])
        assert suggestion["text"] in [item.title, item.title_en, *item.keywords]
    texts = [s["text"] for s in suggestions]
    assert len(texts) == len(set(texts))
    expected_titles = {
        item.title
        for model in (ResearchResult, TechnologyNeed)
        for item in model.objects.filter(title__startswith="氢能")
    }
    assert expected_titles, "the bundled data has titles starting with 氢能"
    assert expected_titles & set(texts)


def test_suggest_is_case_insensitive_for_english_and_respects_limit(suggest_client) -> None:
    response = suggest_client.get(SUGGEST_URL, {"q": "hydro", "limit": 3})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert 0 < len(suggestions) <= 3
    assert all(s["text"].lower().startswith("hydro") for s in suggestions)


def test_suggest_blank_and_bad_parameters(suggest_client) -> None:
    assert suggest_client.get(SUGGEST_URL, {"q": " "}).json() == {"suggestions": []}
    response = suggest_client.get(SUGGEST_URL, {"q": "储能", "limit": 0})
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "fields"}
    assert "limit" in response.json()["fields"]


@requires_es
def test_suggest_leaves_out_unpublished_listings(es) -> None:
    item = listing("R0110")  # 氢能源充装压缩机
    assert any(s.object_id == item.pk for s in es.suggest(item.title[:3]))
    es.index([replace(document_for(item), searchable=False)])
    assert all(s.object_id != item.pk for s in es.suggest(item.title[:3]))


# --- outages -----------------------------------------------------------------------------------
CLOSED_PORT = "http://127.0.0.1:9"  # the discard port: nothing listens, connections are refused


@pytest.fixture
def closed_port_backends(settings):
    settings.SEARCH_BACKENDS = {
        "default": es_config("keqiao-closed", URL=CLOSED_PORT, MAX_RETRIES=0, TIMEOUT=2),
        "embedded": embedded_config(),
    }
    settings.ROOT_URLCONF = __name__
    return settings.SEARCH_BACKENDS


def test_closed_port_raises_search_unavailable(closed_port_backends, db) -> None:
    backend = get_search_backend()
    with pytest.raises(SearchUnavailable):
        backend.search(SearchQuery(text="储能"))
    with pytest.raises(SearchUnavailable):
        backend.count()
    with pytest.raises(SearchUnavailable):
        backend.suggest("储能")
    document = index_document("result", 1, title="储能")
    with pytest.raises(SearchUnavailable):
        backend.index([document])
    with pytest.raises(SearchUnavailable):
        backend.more_like_this(document, kind="result", limit=5)
    with pytest.raises(SearchUnavailable):
        backend.rebuild([document])


def test_search_and_suggest_apis_answer_503_when_the_node_is_unreachable(
    closed_port_backends, api_client, db
) -> None:
    for url in (SEARCH_URL, SUGGEST_URL):
        response = api_client.get(url, {"q": "储能"})
        assert response.status_code == 503, url
        assert response.json() == {
            "message": "Search is not available at the moment. Please try again later.",
            "code": "service_unavailable",
            "fields": {},
        }


# --- matching evaluation -----------------------------------------------------------------------
@requires_es
@pytest.mark.database_independent  # the bundled listings, ranked by the node
def test_evaluate_matching_runs_on_elasticsearch(es) -> None:
    metrics = {}
    for name in ("embedded", "elasticsearch"):
        out = StringIO()
        call_command(
            "evaluate_matching",
            "--needs",
            str(NEEDS),
            "--qrels",
            str(QRELS),
            "--json",
            "--backend",
            name,
            stdout=out,
        )
        metrics[name] = json.loads(out.getvalue())
    es_full = metrics["elasticsearch"]["full"]
    assert set(es_full) == {"ndcg@10", "recall@20", "mrr"}
    # The same scorer over the same candidates: the metrics agree closely.
    for metric, value in metrics["embedded"]["full"].items():
        assert abs(es_full[metric] - value) <= 0.05, (metric, metrics)
