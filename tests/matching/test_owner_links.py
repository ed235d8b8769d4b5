"""Listing pages and search results link the owner organisation to its page, where its
verification state and 'Claim this organisation' live."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.bundled import reindex

pytestmark = pytest.mark.django_db


def _org_link(org_pk: int) -> str:
    return 'href="' + reverse("organization-detail", kwargs={"pk": org_pk}) + '"'


def test_result_and_need_pages_link_the_owner_organisation(result, need):
    for name, listing in (("result-detail", result), ("need-detail", need)):
        html = Client().get(reverse(name, kwargs={"pk": listing.pk})).content.decode()
        assert _org_link(listing.owner_id) in html


def test_search_results_link_the_owner_organisation(result, need):
    reindex()
    response = Client().get(reverse("home"))
    assert response.context["rows"]
    html = response.content.decode()
    assert _org_link(result.owner_id) in html
    need_page = Client().get(reverse("home"), {"kind": "need"}).content.decode()
    assert _org_link(need.owner_id) in need_page


def test_matches_page_links_the_owner_organisation(result, need):
    reindex()
    response = Client().get(reverse("result-matches", kwargs={"pk": result.pk}))
    assert _org_link(need.owner_id) in response.content.decode()
