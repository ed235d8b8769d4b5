"""The root URL configuration does not depend on the order in which it includes the apps."""

from __future__ import annotations

import pytest
from django.urls.resolvers import RegexPattern, URLResolver

import marketplace.urls

PATHS = {
    "/results/1/matches/": "result-matches",
    "/needs/1/matches/": "need-matches",
    "/results/1/request/": "match-request-create",
    "/needs/1/propose/": "match-request-propose",
    "/results/1/archive/": "result-action",
    "/needs/1/close/": "need-action",
    "/agreements/verify/": "agreement-verify",
    "/api/v1/agreements/verify/": "api-agreement-verify",
    "/api/v1/search/suggest/": "api-search-suggest",
}


@pytest.mark.parametrize("order", ["as written", "reversed"])
def test_every_page_resolves_to_its_view_whatever_the_include_order(order: str) -> None:
    patterns = list(marketplace.urls.urlpatterns)
    if order == "reversed":
        patterns.reverse()
    resolver = URLResolver(RegexPattern(r"^/"), patterns)
    resolved = {path: resolver.resolve(path).url_name for path in PATHS}
    assert resolved == PATHS
