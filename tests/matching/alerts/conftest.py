"""Shared set-up of the alerts tests: a research result and a need of two organisations that
clearly match (same words, field and province), published through the real workflow, and
strength thresholds that make every match strong unless a test says otherwise."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from marketplace.choices import ListingStatus
from marketplace.services import listing_approve
from matching.search.sync import drain_outbox
from tests import factories
from tests.bundled import reindex


@pytest.fixture(autouse=True)
def _every_match_strong(settings):
    settings.MATCHING_STRENGTH = {"strong": 0.0, "possible": 0.0}
    settings.ALERT_DIGEST_HOUR = 0


@pytest.fixture
def battery_result(db, researcher, university):
    result = factories.ResearchResultFactory(
        owner=university, title="储能电池热失控预警技术", keywords=["储能", "电池", "热失控"]
    )
    reindex()
    return result


def pending_need(owner, **values):
    values = {
        "title": "储能电站电池热失控预警需求",
        "description": "储能电站需要电池热失控预警和安全监测技术。",
        "keywords": ["储能", "电池", "热失控"],
        "status": ListingStatus.PENDING_REVIEW,
        "published_at": None,
        **values,
    }
    return factories.TechnologyNeedFactory(owner=owner, **values)


def publish(listing, broker, capture):
    """Approve `listing` and bring the search index up to date (the fast path's commit
    callback of a test's earlier writes never runs: the test's transaction never commits, so
    search_sync's drain stands in for it)."""
    with capture(execute=True):
        approved = listing_approve(listing=listing, actor=broker)
    drain_outbox(ignore_backoff=True)
    return approved


def run_worker(*args: str) -> None:
    call_command("send_match_alerts", "--once", *args)
