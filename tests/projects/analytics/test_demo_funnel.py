"""The demo data (`load_demo`) in the deal funnel: the demo deal, from its published listing to
the signed agreement's value, on the API and on the page, as a broker and as the demo
enterprise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from contracts.demo import DEMO_PRICE, ENTERPRISE
from marketplace.models import Organization
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo refuses without a password otherwise
    call_command("load_demo", stdout=StringIO())
    settings.DEBUG = False


def test_the_demo_deal_runs_from_listing_to_signed_value(demo):
    users = get_user_model().objects
    enterprise = Organization.objects.get(legal_name=ENTERPRISE)
    broker = factories.login(users.get(username="broker"))
    body = broker.get("/api/v1/analytics/funnel/", {"organization": enterprise.pk}).json()
    stages = {s["key"]: s["count"] for s in body["stages"]}
    assert stages["match_request"] == stages["accepted"] == 1
    assert stages["drafted"] == stages["signed"] == 1
    assert body["value_cny"] == DEMO_PRICE
    everything = broker.get("/api/v1/analytics/funnel/").json()
    assert everything["stages"][0]["count"] > 100  # the bundled listings, published
    assert everything["stages"][-1]["count"] >= 1
    page = broker.get("/analytics/funnel/", {"organization": enterprise.pk})
    assert [int(r[1]) for r in page.context["stage_rows"]][1:] == [
        stages[k] for k in ("match_request", "accepted", "meeting", "drafted", "signed")]
    # The demo enterprise sees its own deal the same way.
    own = factories.login(users.get(username="enterprise")).get("/api/v1/analytics/funnel/")
    assert own.json()["value_cny"] == DEMO_PRICE
    assert {s["key"]: s["count"] for s in own.json()["stages"]}["signed"] == 1
