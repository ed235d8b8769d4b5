"""Search API route, included under /api/v1/ by the root URLconf: GET /api/v1/search/."""

from django.urls import path

from matching.search.apis import SearchApi

urlpatterns = [
    path("search/", SearchApi.as_view(), name="api-search"),
]
