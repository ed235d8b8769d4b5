"""The embedded and the Elasticsearch backend return the same records for the same query.

For a fixed list of Chinese and English queries over the real bundled listings, the two
backends' top 10 (order may differ) must be the same set. Both analyse text the same way
(jieba segmentation, the same synonym file, the same groups and minimum-should-match), and
both rank with BM25 and the same field boosts. Measured on the bundled data, all queries
below give identical top-10 sets and identical totals, so that is what the test requires
(`ALLOWED_SWAPS = 0`). The raw scores do differ (Lucene drops BM25's constant (k1 + 1)
factor, stores field lengths in one byte, and scores a synonym set as one pseudo-term), so
on other data two listings with nearly equal scores could swap at rank 10: raising
`ALLOWED_SWAPS` then tolerates that many differences, and only for listings scoring within
`BOUNDARY_MARGIN` of the 10th score (a tie-break, not a different answer). The set of
matching listings (`total`) must always be identical.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from matching.search import get_search_backend
from matching.search.backends.base import BaseSearchBackend, SearchHit, SearchQuery
from tests.matching.es_support import es_test_prefix, needs_es  # noqa: F401
from tests.matching.search_support import load_real_listings, remove_real_listings

pytestmark = needs_es

QUERIES: list[str] = [
    "储能",
    "氢能",
    "光伏",
    "钢渣",
    "无人机",
    "轴承",
    "污水处理",
    "机器人",
    "电池",
    "传感器",
    "激光",
    "催化剂",
    "固废",
    "芯片",
    "新能源汽车",
    "储能电池",
    "轧机轴承",
    "材料",
    "智能",
    "检测",
    "节能",
    "复合材料",
    "生物",
    "控制系统",
    "钢渣 固废 资源化",
    "氢燃料电池 发动机",
    "光伏 储能 逆变器 并网",
    "energy storage",
    "hydrogen",
    "photovoltaic",
    "UAV",
    "battery",
    "robot",
    "sensor",
    "wastewater treatment",
    "bearing",
    "welding",
    "material",
    "intelligent control",
    "detection",
    "lithium battery",
]

TOP = 10
#: Listings that may differ at the top-10 boundary (near-equal scores), see the docstring.
ALLOWED_SWAPS = 0
#: "Near-equal": within this fraction of the 10th hit's score.
BOUNDARY_MARGIN = 0.05


@pytest.fixture(scope="module")
def both(
    django_db_setup, django_db_blocker, es_test_prefix  # noqa: F811
) -> Iterator[tuple[BaseSearchBackend, BaseSearchBackend]]:
    with django_db_blocker.unblock():
        load_real_listings()
    yield get_search_backend("embedded"), get_search_backend("elasticsearch")
    with django_db_blocker.unblock():
        remove_real_listings()


def top(backend: BaseSearchBackend, text: str, size: int = 30) -> tuple[list[SearchHit], int]:
    results = backend.search(
        SearchQuery(text=text, page_size=size, with_facets=False, with_highlights=False)
    )
    return results.hits, results.total


def keys(hits: list[SearchHit]) -> set[tuple[str, int]]:
    return {(hit.kind, hit.object_id) for hit in hits}


def near_boundary(hits: list[SearchHit], key: tuple[str, int]) -> bool:
    """Whether `key` is ranked in `hits` within BOUNDARY_MARGIN of the TOP-th score."""
    if len(hits) < TOP:
        return False
    tenth = hits[TOP - 1].score
    for hit in hits:
        if (hit.kind, hit.object_id) == key:
            return abs(hit.score - tenth) <= BOUNDARY_MARGIN * max(tenth, 1e-9)
    return False


def compare(
    embedded: BaseSearchBackend, elastic: BaseSearchBackend, text: str
) -> dict[str, object]:
    db_hits, db_total = top(embedded, text)
    es_hits, es_total = top(elastic, text)
    db_top, es_top = keys(db_hits[:TOP]), keys(es_hits[:TOP])
    return {
        "query": text,
        "totals": (db_total, es_total),
        "shared": len(db_top & es_top),
        "only_embedded": sorted(db_top - es_top),
        "only_elasticsearch": sorted(es_top - db_top),
        "db_hits": db_hits,
        "es_hits": es_hits,
    }


@pytest.mark.parametrize("text", QUERIES)
def test_both_backends_return_the_same_top_10(both, db, text: str) -> None:
    embedded, elastic = both
    report = compare(embedded, elastic, text)
    db_total, es_total = report["totals"]  # type: ignore[misc]
    assert db_total == es_total, report
    assert db_total > 0, f"{text!r} should find something in the bundled data"
    only_db = report["only_embedded"]
    only_es = report["only_elasticsearch"]
    assert len(only_db) <= ALLOWED_SWAPS, report  # type: ignore[arg-type]
    for key in only_db:  # type: ignore[attr-defined]
        assert near_boundary(report["db_hits"], key), report  # type: ignore[arg-type]
    for key in only_es:  # type: ignore[attr-defined]
        assert near_boundary(report["es_hits"], key), report  # type: ignore[arg-type]


def test_parity_report(both, db, capsys) -> None:
    """Prints, per query, how many of the top 10 the backends share (run with -s)."""
    embedded, elastic = both
    lines = []
    identical = same_first = 0
    for text in QUERIES:
        report = compare(embedded, elastic, text)
        identical += report["shared"] == min(TOP, report["totals"][0])  # type: ignore[index]
        db_hits, es_hits = report["db_hits"], report["es_hits"]
        same_first += bool(db_hits) and keys(db_hits[:1]) == keys(es_hits[:1])
        lines.append(
            f"{text:<22} totals {report['totals']}  shared {report['shared']}/"
            f"{min(TOP, report['totals'][0])}  only embedded {report['only_embedded']}  "  # type: ignore[index]
            f"only es {report['only_elasticsearch']}"
        )
    with capsys.disabled():
        print("\nparity (embedded vs elasticsearch, top 10):")
        print("\n".join(lines))
        print(f"identical top-10 sets: {identical}/{len(QUERIES)}; same best hit: {same_first}")
    assert identical == len(QUERIES)
