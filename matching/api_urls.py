"""REST API of matching, included under /api/v1/ by `marketplace.urls`.

GET search/ and search/suggest/ (`matching.search`: full-text search and autocomplete),
needs/{id}/matches/ and research-results/{id}/matches/ (`matching.matches.api_urls`),
match-requests/... (`matching.match_requests.api_urls`). Every route is a distinct path
("search/" matches only itself, not "search/suggest/"), so the order does not matter.
"""

from django.urls import URLPattern, URLResolver, include, path

from matching.search.apis import SearchApi
from matching.search.suggest_apis import SuggestApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", SearchApi.as_view(), name="api-search"),
    path("search/suggest/", SuggestApi.as_view(), name="api-search-suggest"),
    path("", include("matching.matches.api_urls")),
    path("", include("matching.match_requests.api_urls")),
]
