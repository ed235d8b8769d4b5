"""A 3-node Elasticsearch cluster with one replica per shard loses a node, and search and
matching still answer the same.

The cluster is started with es/run.sh on its own ports and data (never the shared node) and
the bundled listings are indexed through the project's backend (its defaults: one primary
shard; `AUTO_EXPAND_REPLICAS` "0-1" gives it one replica on 3 nodes). The backend talks to
node-0 (it takes one URL), so shards are kept off node-0 (allocation filter): the primary and
its replica live on node-1 and node-2, and the node holding the PRIMARY is stopped (the replica
is promoted; if it was the elected master, a new one is elected). The same Chinese/English
searches (through the API) and matches (`matching.matcher`, via the backend) are compared
with the answers before the stop, and writes keep working on the surviving nodes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from marketplace.models import ResearchResult, TechnologyNeed
from matching.matcher import matches_for_need, matches_for_result
from matching.search import get_search_backend
from tests import factories
from tests.bundled import load_bundled
from tests.matching.es_nodes import EsInstance, es_backend_config
from tests.matching.es_support import embedded_config

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.database_independent,  # a node of the cluster is lost, not the database
    pytest.mark.skipif(
        not getattr(settings, "ELASTICSEARCH_URL", ""),
        reason="Elasticsearch is not configured (set ELASTICSEARCH_URL)",
    ),
]

EMBEDDED = embedded_config()
SEARCH = "/api/v1/search/"
QUERIES: list[dict[str, Any]] = [
    {"q": "储能"},
    {"q": "光伏"},
    {"q": "氢能"},
    {"q": "钢渣"},
    {"q": "储能电池热管理"},
    {"q": "energy storage"},
    {"q": "battery"},
    {"q": "hydrogen fuel cell"},
    {"q": "电池", "type": "result", "trl_min": 4},
    {"q": "", "province": "河北"},
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[EsInstance]:
    instance = EsInstance("cluster", nodes=3)
    seconds = instance.start(fresh=True)
    print(f"\n3-node cluster up in {seconds:.1f}s")
    try:
        yield instance
    finally:
        instance.remove()


def answers(client: Client) -> dict[str, Any]:
    """Ranked ids (with totals and facets) for every query, and the matches of some listings."""
    found: dict[str, Any] = {}
    for params in QUERIES:
        response = client.get(SEARCH, {**params, "page_size": 20})
        assert response.status_code == 200, response.content
        body = response.json()
        found[f"search {params}"] = (
            body["count"],
            [(row["type"], row["id"]) for row in body["results"]],
            body["facets"].get("field"),
        )
    for need in TechnologyNeed.objects.order_by("pk")[:5]:
        found[f"need {need.pk}"] = [
            (m.object_id, round(m.score, 6)) for m in matches_for_need(need=need, limit=10)
        ]
    for result in ResearchResult.objects.order_by("pk")[:3]:
        found[f"result {result.pk}"] = [
            (m.object_id, round(m.score, 6)) for m in matches_for_result(result=result, limit=10)
        ]
    return found


def primaries_by_node(cluster: EsInstance, alias: str) -> dict[str, int]:
    shards = cluster.request("GET", "/_cat/shards?format=json&h=index,shard,prirep,state,node")
    counts: dict[str, int] = {}
    for shard in shards:
        if shard["index"].startswith(alias) and shard["prirep"] == "p":
            counts[shard["node"]] = counts.get(shard["node"], 0) + 1
    return counts


@pytest.mark.django_db(transaction=True)
def test_search_and_matching_answer_the_same_after_losing_a_node(
    cluster: EsInstance, settings
) -> None:
    settings.SEARCH_BACKENDS = {"default": es_backend_config(cluster.url), "embedded": EMBEDDED}
    started = time.monotonic()
    cluster.request(
        "PUT",
        "/_cluster/settings",
        {"persistent": {"cluster.routing.allocation.exclude._name": "node-0"}},
    )
    load_bundled()
    backend = get_search_backend()
    assert backend.count() > 200
    health = cluster.health(wait_for_status="green", timeout="60s")
    assert health["status"] == "green" and health["number_of_nodes"] == 3
    shards = cluster.request("GET", f"/_cat/shards/{backend.alias}?format=json")
    assert sorted(s["prirep"] for s in shards) == ["p", "r"], "one primary, one replica"
    assert {s["node"] for s in shards} == {"node-1", "node-2"}

    client = Client()
    before = answers(client)
    assert answers(client) == before, "the answers are deterministic"
    assert any(
        ids for _count, ids, _facets in (v for k, v in before.items() if k.startswith("search"))
    )
    assert any(before[k] for k in before if k.startswith("need"))

    # Stop the node that holds the primary.
    (primary_node,) = primaries_by_node(cluster, backend.alias)
    victim = int(primary_node.removeprefix("node-"))
    master = cluster.request("GET", "/_cat/master?format=json")[0]["node"]
    cluster.stop_node(victim)
    health = cluster.health(wait_for_nodes="2", timeout="60s")
    assert health["number_of_nodes"] == 2
    health = cluster.health(wait_for_status="yellow", timeout="60s")
    assert health["status"] in {"yellow", "green"}
    assert f"node-{victim}" not in primaries_by_node(cluster, backend.alias), (
        "replicas were promoted"
    )

    after = answers(client)
    for key, value in before.items():
        assert after[key] == value, key

    # Writes still work on the surviving nodes.
    item = factories.ResearchResultFactory(title="集群故障期间发布的磁悬浮飞轮储能")
    response = client.get(SEARCH, {"q": "磁悬浮飞轮"})
    assert response.status_code == 200
    assert item.pk in [row["id"] for row in response.json()["results"]]
    print(
        f"\nstopped node-{victim} (master was {master}); {len(before)} answers unchanged; "
        f"test body {time.monotonic() - started:.1f}s"
    )
