"""Autocomplete route, included under /api/v1/ by the root URLconf (before
matching.search.urls): GET /api/v1/search/suggest/."""

from django.urls import path

from matching.search.suggest_apis import SuggestApi

urlpatterns = [
    path("search/suggest/", SuggestApi.as_view(), name="api-search-suggest"),
]
