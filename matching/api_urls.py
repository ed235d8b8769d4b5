"""REST API of matching, included under /api/v1/ by `marketplace.urls`: the one list of every
matching API route, by feature.

GET search/ and search/suggest/ (`matching.search`: full-text search and autocomplete);
needs/{id}/matches/ and research-results/{id}/matches/ (`matching.matches.apis`: explained
matches); match-requests/... (`matching.match_requests.apis`); saved-searches/ and
alert-settings/ (`matching.alerts.apis`). Every route is a distinct path
("search/" matches only itself, not "search/suggest/"), so the order does not matter.
"""

from django.urls import URLPattern, path

from matching.alerts import apis as alert_apis
from matching.match_requests import apis as match_request_apis
from matching.matches import apis as matches_apis
from matching.search.apis import SearchApi
from matching.search.suggest_apis import SuggestApi

urlpatterns: list[URLPattern] = [
    # search and autocomplete
    path("search/", SearchApi.as_view(), name="api-search"),
    path("search/suggest/", SuggestApi.as_view(), name="api-search-suggest"),
    # explained matches
    path(
        "needs/<int:pk>/matches/",
        matches_apis.NeedMatchesApi.as_view(),
        name="api-need-matches",
    ),
    path(
        "research-results/<int:pk>/matches/",
        matches_apis.ResearchResultMatchesApi.as_view(),
        name="api-research-result-matches",
    ),
    # match requests (对接)
    path(
        "match-requests/",
        match_request_apis.MatchRequestListApi.as_view(),
        name="api-match-request-list",
    ),
    path(
        "match-requests/<int:pk>/",
        match_request_apis.MatchRequestDetailApi.as_view(),
        name="api-match-request-detail",
    ),
    path(
        "match-requests/<int:pk>/accept/",
        match_request_apis.MatchRequestAcceptApi.as_view(),
        name="api-match-request-accept",
    ),
    path(
        "match-requests/<int:pk>/decline/",
        match_request_apis.MatchRequestDeclineApi.as_view(),
        name="api-match-request-decline",
    ),
    path(
        "match-requests/<int:pk>/withdraw/",
        match_request_apis.MatchRequestWithdrawApi.as_view(),
        name="api-match-request-withdraw",
    ),
    path(
        "match-requests/<int:pk>/messages/",
        match_request_apis.MatchRequestMessagesApi.as_view(),
        name="api-match-request-messages",
    ),
    # saved searches and alert settings
    path(
        "saved-searches/",
        alert_apis.SavedSearchListApi.as_view(),
        name="api-saved-search-list",
    ),
    path(
        "saved-searches/<int:pk>/",
        alert_apis.SavedSearchDetailApi.as_view(),
        name="api-saved-search-detail",
    ),
    path("alert-settings/", alert_apis.AlertSettingsApi.as_view(), name="api-alert-settings"),
]
