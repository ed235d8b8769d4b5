"""Attacks on the deal funnel's filters and on draft roadshows: each test names the rule it
checks and fails on main."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.projects.roadshow_support import client_for
from tests.projects.roadshows.test_drafts import make_draft

pytestmark = pytest.mark.django_db

PAGE, CSV, XLSX, API = ("/analytics/funnel/", "/analytics/funnel.csv", "/analytics/funnel.xlsx",
                        "/api/v1/analytics/funnel/")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_live_api_of_a_draft_answers_404_as_every_other_route_of_it(broker,
                                                                         enterprise_user):
    # A draft is seen by its host staff alone: every other route of a draft answers 404 to
    # others (detail, slots, questions, meetings...); the live route answers 403 "Only
    # registered attendees and host staff can follow the roadshow", which tells that the
    # draft exists (ids are sequential: a competitor counts the drafts being prepared).
    draft = make_draft(broker)
    api = client_for(enterprise_user)
    assert api.get(f"/api/v1/roadshows/{draft.pk}/").status_code == 404
    assert api.get(f"/api/v1/roadshows/{draft.pk}/live/").status_code == 404
    assert api.get("/api/v1/roadshows/999999/live/").status_code == 404
