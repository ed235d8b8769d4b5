"""Match-request API routes (/api/v1/match-requests/), included by `matching.api_urls`."""

from django.urls import path

from matching.match_requests import apis

urlpatterns = [
    path("match-requests/", apis.MatchRequestListApi.as_view(), name="api-match-request-list"),
    path(
        "match-requests/<int:pk>/",
        apis.MatchRequestDetailApi.as_view(),
        name="api-match-request-detail",
    ),
    path(
        "match-requests/<int:pk>/accept/",
        apis.MatchRequestAcceptApi.as_view(),
        name="api-match-request-accept",
    ),
    path(
        "match-requests/<int:pk>/decline/",
        apis.MatchRequestDeclineApi.as_view(),
        name="api-match-request-decline",
    ),
    path(
        "match-requests/<int:pk>/withdraw/",
        apis.MatchRequestWithdrawApi.as_view(),
        name="api-match-request-withdraw",
    ),
    path(
        "match-requests/<int:pk>/messages/",
        apis.MatchRequestMessagesApi.as_view(),
        name="api-match-request-messages",
    ),
]
