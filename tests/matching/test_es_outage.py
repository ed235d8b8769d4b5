"""A real Elasticsearch outage, end to end: a dedicated single node (its own port and data,
started with es/run.sh) is stopped while listings are created and edited through the API, and
started again; `manage.py search_sync` then catches up and nothing is missing.

During the outage: writes answer 201/200, search and matches answer 503 in the one error
shape, listing detail pages and API details answer 200, and every change waits in the outbox.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace.choices import ListingStatus
from marketplace.models import ResearchResult, TechnologyNeed
from marketplace.selectors import listing_searchable_q
from matching.models import SearchOutbox
from matching.search import get_search_backend
from matching.search.backends.base import BaseSearchBackend, ListingKind, SearchQuery
from tests import factories
from tests.bundled import load_bundled
from tests.matching.es_nodes import EsInstance, es_backend_config
from tests.matching.es_support import embedded_config

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.skipif(
        not getattr(settings, "ELASTICSEARCH_URL", ""),
        reason="Elasticsearch is not configured (set ELASTICSEARCH_URL)",
    ),
]

EMBEDDED = embedded_config()
SEARCH = "/api/v1/search/"
UNAVAILABLE = {
    "message": "Search is not available at the moment. Please try again later.",
    "code": "service_unavailable",
    "fields": {},
}


@pytest.fixture(scope="module")
def node() -> Iterator[EsInstance]:
    instance = EsInstance("outage")
    instance.start(fresh=True)
    try:
        yield instance
    finally:
        instance.remove()


def indexed_ids(backend: BaseSearchBackend, kind: ListingKind) -> set[int]:
    """Every listing of `kind` the backend returns for a text-less search (all pages)."""
    ids: set[int] = set()
    page = 1
    while True:
        results = backend.search(
            SearchQuery(kind=kind, page=page, page_size=100, with_facets=False,
                        with_highlights=False)
        )
        ids.update(hit.object_id for hit in results.hits)
        if page * 100 >= results.total:
            return ids
        page += 1


def searchable_ids(kind: ListingKind) -> set[int]:
    model = ResearchResult if kind == "result" else TechnologyNeed
    condition: Q = listing_searchable_q(model)
    return set(model.objects.filter(condition).values_list("pk", flat=True))


def hit_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db(transaction=True)
def test_writes_succeed_during_an_outage_and_search_sync_catches_up(
    node: EsInstance, settings, capsys
) -> None:
    settings.SEARCH_BACKENDS = {"default": es_backend_config(node.url), "embedded": EMBEDDED}
    load_bundled()
    es = get_search_backend()
    for kind in ("result", "need"):
        assert indexed_ids(es, kind) == searchable_ids(kind)
    assert SearchOutbox.objects.count() == 0, "the import's changes were applied on commit"

    researcher = factories.researcher()
    broker = factories.broker()
    enterprise_user = factories.enterprise_member()
    api = APIClient()
    web = Client()
    published = ResearchResult.objects.filter(status=ListingStatus.PUBLISHED).order_by("pk")
    edited, archived = published[0], published[1]
    need = TechnologyNeed.objects.filter(listing_searchable_q(TechnologyNeed)).first()
    assert need is not None
    assert hit_ids(api.get(SEARCH, {"q": "储能"}))

    # --- the outage: the node is really stopped ---------------------------------------------
    node.stop()
    assert not node.is_up()

    api.force_authenticate(researcher)
    created = api.post(
        reverse("api-research-result-list"),
        {
            "title": "断电期间发布的钒液流储能电池系统",
            "summary": "全钒液流电池储能系统，适用于电网侧长时储能调峰。",
            "field": "new_energy",
            "keywords": ["液流电池", "长时储能"],
            "trl": 6,
            "stage": "pilot",
            "province": "河北",
            "city": "石家庄",
            "transfer_modes": ["licence"],
            "asking_price_cny": "1200000",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    new_id = created.json()["id"]
    submitted = api.post(reverse("api-research-result-submit", args=[new_id]))
    assert submitted.status_code == 200, submitted.json()

    api.force_authenticate(broker)
    approved = api.post(reverse("api-research-result-approve", args=[new_id]))
    assert approved.status_code == 200, approved.json()
    patched = api.patch(
        reverse("api-research-result-detail", args=[edited.pk]),
        {"title": "停电期间改名的熔盐储热系统"},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["status"] == ListingStatus.PUBLISHED
    gone = api.post(reverse("api-research-result-archive", args=[archived.pk]))
    assert gone.status_code == 200, gone.json()

    # Search and matching answer 503 in the one error shape, not 500.
    api.force_authenticate(None)
    response = api.get(SEARCH, {"q": "储能"})
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    api.force_authenticate(enterprise_user)
    matches = api.get(reverse("api-need-matches", args=[need.pk]))
    assert matches.status_code == 503
    assert matches.json()["code"] == "service_unavailable"
    assert set(matches.json()) == {"message", "code", "fields"}
    result_matches = api.get(reverse("api-research-result-matches", args=[new_id]))
    assert result_matches.status_code == 503

    # Listing pages and API details still work.
    assert api.get(reverse("api-research-result-detail", args=[new_id])).status_code == 200
    assert api.get(reverse("api-need-detail", args=[need.pk])).status_code == 200
    assert web.get(f"/results/{new_id}/").status_code == 200
    assert web.get(f"/results/{edited.pk}/").status_code == 200
    assert web.get(f"/needs/{need.pk}/").status_code == 200

    # Every change waits in the outbox, with the error.
    waiting = {(row.kind, row.object_id) for row in SearchOutbox.objects.all()}
    assert {("result", new_id), ("result", edited.pk), ("result", archived.pk)} <= waiting
    assert all(row.last_error for row in SearchOutbox.objects.all())
    queued = SearchOutbox.objects.count()
    # The worker cannot help yet: it fails loudly and keeps every row, with backoff.
    with pytest.raises(CommandError, match="could not be synced"):
        call_command("search_sync", "--once")
    assert SearchOutbox.objects.count() == queued
    assert set(SearchOutbox.objects.values_list("attempts", flat=True)) == {1}

    # --- Elasticsearch returns --------------------------------------------------------------
    restart = node.start()
    print(f"\noutage node restarted in {restart:.1f}s; {queued} outbox rows queued")
    started = time.monotonic()
    call_command("search_sync", "--once", "--retry-now")
    out = capsys.readouterr().out
    assert "0 failed" in out, out
    print(f"search_sync caught up in {time.monotonic() - started:.2f}s: {out.strip()}")
    assert SearchOutbox.objects.count() == 0

    es = get_search_backend()
    for kind in ("result", "need"):
        assert indexed_ids(es, kind) == searchable_ids(kind), kind  # type: ignore[arg-type]
    assert new_id in indexed_ids(es, "result")
    assert archived.pk not in indexed_ids(es, "result")

    api.force_authenticate(None)
    assert new_id in hit_ids(api.get(SEARCH, {"q": "钒液流"}))
    assert edited.pk in hit_ids(api.get(SEARCH, {"q": "熔盐储热"}))
    assert archived.pk not in hit_ids(api.get(SEARCH, {"q": archived.title}))
    api.force_authenticate(enterprise_user)
    assert api.get(reverse("api-need-matches", args=[need.pk])).status_code == 200
