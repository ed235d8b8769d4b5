"""Explained-matches API routes; the root URLconf includes them under /api/v1/."""

from django.urls import path

from matching import match_apis

urlpatterns = [
    path(
        "needs/<int:pk>/matches/",
        match_apis.NeedMatchesApi.as_view(),
        name="api-need-matches",
    ),
    path(
        "research-results/<int:pk>/matches/",
        match_apis.ResearchResultMatchesApi.as_view(),
        name="api-research-result-matches",
    ),
]
