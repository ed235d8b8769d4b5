"""THE shared search-backend suite: every configured backend (settings.SEARCH_BACKENDS) must
pass it, on the real bundled listings.

The `backend` fixture is parametrised with every backend: "embedded" always, and
"elasticsearch" (marked `elasticsearch`) when ELASTICSEARCH_URL points at a node — otherwise
it is skipped with the reason. Elasticsearch runs under a per-session index prefix
(`tests.matching.es_support`), whose indices are deleted at the end of the module. Tests that
change the index put it back afterwards, so a backend that does not roll back with the test
transaction (Elasticsearch) stays clean.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from marketplace.choices import Field, ListingStatus, Stage, TransferMode
from marketplace.models import ResearchResult, TechnologyNeed
from matching.search import get_search_backend
from matching.search.analysis import document_terms
from matching.search.backends.base import (
    FACET_FIELDS,
    TERM_FIELDS,
    BaseSearchBackend,
    IndexDocument,
    SearchHit,
    SearchQuery,
)
from matching.search.documents import document_for, documents_for_all
from tests.matching.es_support import backend_params, es_test_prefix  # noqa: F401
from tests.matching.search_support import (
    all_listings,
    contains_word,
    key,
    listing_text,
    load_real_listings,
    remove_real_listings,
)

BACKEND_NAMES = backend_params()


@pytest.fixture(scope="module")
def real_listings(django_db_setup, django_db_blocker, es_test_prefix) -> Iterator[None]:  # noqa: F811
    with django_db_blocker.unblock():
        load_real_listings()
    yield
    with django_db_blocker.unblock():
        remove_real_listings()


@pytest.fixture(params=BACKEND_NAMES)
def backend(request, real_listings, db) -> BaseSearchBackend:
    return get_search_backend(request.param)


def everything(backend: BaseSearchBackend, **filters) -> list[SearchHit]:
    """All hits of a query, page by page."""
    hits: list[SearchHit] = []
    page = 1
    while True:
        results = backend.search(SearchQuery(page=page, page_size=100, **filters))
        hits.extend(results.hits)
        if len(hits) >= results.total or not results.hits:
            return hits
        page += 1


def keys(hits: list[SearchHit]) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in hits}


def listing(source_id: str) -> ResearchResult | TechnologyNeed:
    model = ResearchResult if source_id.startswith("R") else TechnologyNeed
    return model.objects.get(source_id=source_id)


@pytest.fixture
def restore_index(backend: BaseSearchBackend) -> Iterator[list[IndexDocument]]:
    """Documents of listings as they were before the test changed them; indexed again
    afterwards. (The test's database changes roll back after this fixture ends, so the
    documents are taken before the changes, not read again from the database.)"""
    touched: list[IndexDocument] = []
    yield touched
    backend.index(touched)


# --- text matching --------------------------------------------------------------------------
def test_chu_neng_finds_every_energy_storage_listing_and_marks_it(backend) -> None:
    results = backend.search(SearchQuery(text="储能", page_size=100))
    found = keys(results.hits)
    expected = {key(item) for item in all_listings() if "储能" in listing_text(item)}
    assert expected <= found
    # Everything found is about energy storage (the word or one of its synonyms).
    for item in all_listings():
        if key(item) in found:
            text = listing_text(item)
            assert (
                "储能" in text
                or "蓄能" in text
                or (
                    contains_word(item.title_en, "energy")
                    and contains_word(text + item.title_en, "storage")
                )
            ), item.title
    top = results.hits[0]
    assert "<mark>储能</mark>" in " ".join(
        snippet for snippets in top.highlights.values() for snippet in snippets
    )
    assert results.hits == sorted(results.hits, key=lambda hit: -hit.score)


@pytest.mark.parametrize(
    ("text", "source_ids"),
    [
        ("氢能", {"R0110", "R0165", "N0052"}),  # 氢能源充装压缩机, keyword 氢能重卡, keyword 氢能
        ("光伏", {"R0099", "R0029", "R0169", "N0041"}),  # 光伏电站, 光伏支架, 光伏, 光伏组件
        ("钢渣", {"R0012", "N0055"}),  # 钢渣改性气淬, keyword 钢渣
        ("储能电池", {"R0046", "R0040"}),  # keyword 储能电池; 储能 + 电池 in the text
    ],
)
def test_two_character_terms_are_found_inside_longer_words(backend, text, source_ids) -> None:
    found = keys(backend.search(SearchQuery(text=text, page_size=100)).hits)
    assert {key(listing(s)) for s in source_ids} <= found


@pytest.mark.parametrize(
    ("text", "source_ids"),
    [
        # No "energy storage" in these English titles: found through the synonym 储能.
        ("energy storage", {"R0040", "R0164", "N0061", "N0071"}),
        # Through title_en ("Hydrogen refueling compressor") and the synonym 氢能.
        ("hydrogen", {"R0110", "R0165", "N0052"}),
        ("Hydrogen", {"R0110"}),
        ("photovoltaic", {"R0099", "N0041"}),
        ("UAV", {"R0001", "R0003", "R0014"}),
    ],
)
def test_english_queries_find_listings_through_english_titles_and_synonyms(
    backend, text, source_ids
) -> None:
    found = keys(backend.search(SearchQuery(text=text, page_size=100)).hits)
    assert {key(listing(s)) for s in source_ids} <= found


def test_best_hit_for_a_title_query_is_that_listing(backend) -> None:
    target = listing("R0102")  # 大型轧机轴承载荷均布新型机构
    results = backend.search(SearchQuery(text="轧机轴承载荷均布"))
    assert (results.hits[0].kind, results.hits[0].object_id) == key(target)


def test_words_not_in_any_listing_find_nothing(backend) -> None:
    results = backend.search(SearchQuery(text="量子纠缠隐形传态"))
    assert results.total == 0
    assert results.hits == []


def test_a_relaxed_query_needs_only_one_of_its_word_groups(backend) -> None:
    # No listing has both words (two groups); relaxed, the hits are those of either word
    # alone, ranked and highlighted as usual, the filters kept.
    assert backend.search(SearchQuery(text="钢渣 热失控")).total == 0
    for kind in ("result", "need"):
        relaxed = everything(backend, text="钢渣 热失控", relaxed=True, kind=kind)
        either = [everything(backend, text=word, kind=kind) for word in ("钢渣", "热失控")]
        assert keys(relaxed) == keys(either[0]) | keys(either[1])
    first = backend.search(SearchQuery(text="钢渣 热失控", relaxed=True)).hits[0]
    assert any("<mark>" in text for texts in first.highlights.values() for text in texts)


def test_empty_text_returns_everything_newest_first(backend, restore_index) -> None:
    newest = listing("R0050")
    restore_index.append(document_for(newest))
    newest.published_at = timezone.now() + timedelta(minutes=1)
    newest.save(update_fields=["published_at"])
    backend.index([document_for(newest)])

    results = backend.search(SearchQuery(page_size=100))
    live = [item for item in all_listings() if item.is_searchable()]
    assert results.total == len(live)
    assert (results.hits[0].kind, results.hits[0].object_id) == key(newest)
    assert all(hit.score == 0 for hit in results.hits)


# --- filters and facets ---------------------------------------------------------------------
def test_filters_agree_with_the_database(backend) -> None:
    hits = everything(
        backend, kind="result", fields=[Field.NEW_ENERGY, Field.NEW_MATERIALS], trl_min=6
    )
    expected = ResearchResult.objects.filter(
        status=ListingStatus.PUBLISHED,
        field__in=[Field.NEW_ENERGY, Field.NEW_MATERIALS],
        trl__gte=6,
    )
    assert keys(hits) == {key(item) for item in expected}


def test_province_city_stage_and_trl_range_filters(backend) -> None:
    hits = everything(
        backend, provinces=["北京", "天津"], stages=[Stage.PILOT, Stage.INDUSTRIAL], trl_max=8
    )
    expected = ResearchResult.objects.filter(
        province__in=["北京", "天津"], stage__in=[Stage.PILOT, Stage.INDUSTRIAL], trl__lte=8
    )
    assert keys(hits) == {key(item) for item in expected}
    city_hits = everything(backend, cities=["衡水"])
    assert keys(city_hits) == {key(item) for item in all_listings() if item.city == "衡水"}


def test_modes_filter_means_any_of(backend) -> None:
    wanted = [TransferMode.LICENCE, TransferMode.EQUITY]
    hits = everything(backend, modes=wanted)
    expected = {
        key(item)
        for item in all_listings()
        if set(getattr(item, "transfer_modes", None) or getattr(item, "cooperation_modes", []))
        & set(wanted)
    }
    assert expected
    assert keys(hits) == expected


def test_price_filter_keeps_overlapping_price_ranges(backend) -> None:
    low, high = Decimal("2000000"), Decimal("12000000")
    hits = everything(backend, price_min_cny=low, price_max_cny=high)

    def overlaps(item: ResearchResult | TechnologyNeed) -> bool:
        if isinstance(item, ResearchResult):
            bottom = top = item.asking_price_cny
        else:
            bottom, top = item.budget_min_cny, item.budget_max_cny
        bottom = bottom if bottom is not None else top
        top = top if top is not None else bottom
        return bottom is not None and top is not None and top >= low and bottom <= high

    expected = {key(item) for item in all_listings() if overlaps(item)}
    assert expected  # R0033 (10 M CNY) and N0001 (4.5 M CNY)
    assert keys(hits) == expected


def test_text_and_filters_combine(backend) -> None:
    everything_found = keys(everything(backend, text="储能"))
    needs_only = everything(backend, text="储能", kind="need")
    assert {hit.kind for hit in needs_only} == {"need"}
    assert keys(needs_only) == {k for k in everything_found if k[0] == "need"}


def test_facets_count_all_matching_listings(backend) -> None:
    results = backend.search(SearchQuery(text="电池", page_size=3))
    assert set(results.facets) == set(FACET_FIELDS)
    assert sum(results.facets["kind"].values()) == results.total
    hits = everything(backend, text="电池")
    by_key = {key(item): item for item in all_listings()}
    matched = [by_key[k] for k in keys(hits)]
    assert results.facets["field"] == dict(Counter(item.field for item in matched if item.field))
    assert results.facets["province"] == dict(
        Counter(item.province for item in matched if item.province)
    )
    assert results.facets["trl"] == dict(
        Counter(str(item.trl) for item in matched if item.trl is not None)
    )


def test_facets_without_text_agree_with_the_database(backend) -> None:
    facets = backend.search(SearchQuery(kind="result", page_size=1)).facets
    published = ResearchResult.objects.filter(status=ListingStatus.PUBLISHED)
    assert facets["field"] == dict(Counter(published.values_list("field", flat=True)))
    assert facets["stage"] == dict(
        Counter(s for s in published.values_list("stage", flat=True) if s)
    )
    modes = Counter(
        mode for modes in published.values_list("transfer_modes", flat=True) for mode in modes
    )
    assert facets["modes"] == dict(modes)


def test_exclude_drops_the_given_listings(backend) -> None:
    target = key(listing("R0012"))
    assert target in keys(everything(backend, text="钢渣"))
    assert target not in keys(everything(backend, text="钢渣", exclude=[target]))


# --- pagination -----------------------------------------------------------------------------
def test_pages_partition_the_results(backend) -> None:
    first = backend.search(SearchQuery(text="材料", page=1, page_size=5))
    assert first.total > 10
    collected: list[SearchHit] = []
    for page in range(1, (first.total + 4) // 5 + 1):
        results = backend.search(SearchQuery(text="材料", page=page, page_size=5))
        assert results.page == page and results.page_size == 5
        assert results.total == first.total
        collected.extend(results.hits)
    assert len(collected) == first.total
    assert len(keys(collected)) == first.total
    assert [(h.kind, h.object_id) for h in collected] == [
        (h.kind, h.object_id) for h in everything(backend, text="材料")
    ]
    beyond = backend.search(SearchQuery(text="材料", page=1000, page_size=5))
    assert beyond.hits == [] and beyond.total == first.total


def test_page_size_is_capped_at_100(backend) -> None:
    results = backend.search(SearchQuery(page_size=500))
    assert results.page_size == 100
    assert len(results.hits) == 100


# --- index maintenance ---------------------------------------------------------------------
def test_unpublished_listings_are_removed_from_the_index(backend, restore_index) -> None:
    item = listing("R0110")
    restore_index.append(document_for(item))
    assert key(item) in keys(everything(backend, text="氢能"))
    item.status = ListingStatus.ARCHIVED
    item.save(update_fields=["status"])
    backend.index([document_for(item)])
    assert key(item) not in keys(everything(backend, text="氢能"))
    assert key(item) not in keys(everything(backend))


def test_expired_listings_are_never_returned(backend, restore_index) -> None:
    result = listing("R0099")
    need = listing("N0041")
    restore_index.extend([document_for(result), document_for(need)])
    result.renewed_at = timezone.now() - timedelta(days=settings.LISTING_RENEWAL_DAYS + 1)
    result.save(update_fields=["renewed_at"])
    need.deadline = timezone.localdate() - timedelta(days=2)
    need.save(update_fields=["deadline"])
    backend.index([document_for(result), document_for(need)])
    found = keys(everything(backend, text="光伏"))
    assert key(result) not in found and key(need) not in found
    assert key(result) not in keys(everything(backend))
    hits = backend.more_like_this(document_for(listing("R0169")), kind="result", limit=200)
    assert key(result) not in keys(hits)


def test_delete_removes_and_index_restores(backend, restore_index) -> None:
    item = listing("R0012")
    document = document_for(item)
    restore_index.append(document)
    before = backend.count("result")
    backend.delete("result", [item.pk])
    backend.delete("result", [item.pk])  # absent: no error
    assert backend.count("result") == before - 1
    assert key(item) not in keys(everything(backend, text="钢渣"))
    backend.index([document])
    backend.index([document])  # idempotent
    assert backend.count("result") == before
    assert key(item) in keys(everything(backend, text="钢渣"))


def test_reindexing_a_changed_title_changes_results(backend, restore_index) -> None:
    item = listing("R0102")
    restore_index.append(document_for(item))
    document = replace(document_for(item), title="磁悬浮风机")
    backend.index([document])
    assert key(item) in keys(everything(backend, text="磁悬浮风机"))
    # The old title is gone from the index: its words now match the summary only.
    old = [h for h in everything(backend, text="新型机构") if (h.kind, h.object_id) == key(item)]
    assert not old or "title" not in old[0].highlights
    top = backend.search(SearchQuery(text="磁悬浮风机")).hits[0]
    assert (top.kind, top.object_id) == key(item)
    assert top.highlights["title"] == ["<mark>磁悬浮风机</mark>"]


def test_highlights_escape_listing_text(backend, restore_index) -> None:
    item = listing("R0040")
    restore_index.append(document_for(item))
    backend.index([replace(document_for(item), title="<script>alert(1)</script>储能器件")])
    hits = backend.search(SearchQuery(text="储能器件")).hits
    hit = next(h for h in hits if (h.kind, h.object_id) == key(item))
    assert hit.highlights["title"] == ["&lt;script&gt;alert(1)&lt;/script&gt;<mark>储能器件</mark>"]


def test_rebuild_replaces_the_index_and_reports_progress(backend) -> None:
    calls: list[int] = []
    documents = list(documents_for_all())
    count = backend.rebuild(documents, progress=calls.append)
    listings = ResearchResult.objects.count() + TechnologyNeed.objects.count()
    assert count == len(documents) == listings
    assert calls and calls[-1] == count
    assert calls == sorted(calls)
    assert backend.count() == len([d for d in documents if d.searchable])
    assert backend.count("need") == TechnologyNeed.objects.count()


def test_rebuild_skips_unsearchable_documents(backend) -> None:
    documents = list(documents_for_all())
    hidden = replace(documents[0], searchable=False)
    try:
        count = backend.rebuild([hidden, *documents[1:]])
        assert count == len(documents) - 1
        assert (hidden.kind, hidden.object_id) not in keys(everything(backend))
    finally:
        backend.rebuild(documents)


# --- more like this -------------------------------------------------------------------------
def test_more_like_this_finds_related_results_for_a_need(backend) -> None:
    need = listing("N0055")  # 冶金渣、矿渣在道路材料中的研发与转化
    hits = backend.more_like_this(document_for(need), kind="result", limit=5)
    assert len(hits) == 5
    assert {hit.kind for hit in hits} == {"result"}
    assert {key(listing("R0012")), key(listing("R0092"))} & keys(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_more_like_this_never_returns_the_document_itself(backend) -> None:
    result = listing("R0164")  # 低成本高性能钠离子电池
    hits = backend.more_like_this(document_for(result), kind="result", limit=10)
    assert key(result) not in keys(hits)
    assert hits, "other battery results are similar"


def test_more_like_this_applies_query_filters_and_limit(backend) -> None:
    need = listing("N0071")  # 钒电池储能
    hits = backend.more_like_this(
        document_for(need),
        kind="result",
        limit=3,
        query=SearchQuery(fields=[Field.NEW_ENERGY], trl_min=5),
    )
    assert 0 < len(hits) <= 3
    for hit in hits:
        item = ResearchResult.objects.get(pk=hit.object_id)
        assert item.field == Field.NEW_ENERGY and item.trl is not None and item.trl >= 5


def test_match_candidates_carry_the_index_terms_stored_at_index_time(backend) -> None:
    """The matcher reads a candidate's terms back from the index, never segments it again:
    both parts of `match_candidates` give each hit its `TERM_FIELDS` terms as analysed when it
    was indexed."""
    need = listing("N0055")
    candidates = backend.match_candidates(
        document_for(need), kind="result", limit=10, pool_fields=[need.field]
    )
    hits = [*candidates.similar, *candidates.pooled]
    assert candidates.similar and candidates.pooled
    for hit in hits:
        stored = document_terms(document_for(ResearchResult.objects.get(pk=hit.object_id)))
        assert hit.terms == {t for name in TERM_FIELDS for t in stored[name]}


def test_a_page_far_past_the_end_has_no_hits_but_the_total(backend) -> None:
    for page in (10**6, 10**12):
        results = backend.search(SearchQuery(text="储能", page=page, page_size=100))
        assert results.hits == [] and results.total > 0
        empty = backend.search(SearchQuery(page=page, page_size=100))
        assert empty.hits == [] and empty.total > 0
