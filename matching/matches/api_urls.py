"""Explained-matches API routes, included by `matching.api_urls` (under /api/v1/)."""

from django.urls import path

from matching.matches import apis

urlpatterns = [
    path(
        "needs/<int:pk>/matches/",
        apis.NeedMatchesApi.as_view(),
        name="api-need-matches",
    ),
    path(
        "research-results/<int:pk>/matches/",
        apis.ResearchResultMatchesApi.as_view(),
        name="api-research-result-matches",
    ),
]
