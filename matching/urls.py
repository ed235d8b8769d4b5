"""Web pages of matching, included at the site root by `marketplace.urls`: the one list of
every matching page, by feature.

URL names (used with `{% url %}`): home (the search page, `matching.search.views`), dashboard
and notifications-mark-read (`matching.dashboard.views`); result-matches and need-matches
(`matching.matches.views`); match-request-create (result pk), match-request-propose (need pk),
match-request-list, match-request-detail, match-request-accept, match-request-decline,
match-request-withdraw, match-request-message (`matching.match_requests.views`);
saved-search-list, saved-search-create, saved-search-rename, saved-search-delete,
alert-settings, alert-follow, alerts-unsubscribe (`matching.alerts.views`).
Every route is a distinct path, so the order of the routes does not matter.
"""

from django.urls import URLPattern, path

from matching.alerts import views as alert_views
from matching.dashboard import views as dashboard_views
from matching.match_requests import views as match_request_views
from matching.matches import views as matches_views
from matching.search import views as search_views

urlpatterns: list[URLPattern] = [
    # search
    path("", search_views.home, name="home"),
    # dashboard
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(
        "notifications/read/",
        dashboard_views.notifications_mark_read,
        name="notifications-mark-read",
    ),
    # explained matches
    path("results/<int:pk>/matches/", matches_views.result_matches, name="result-matches"),
    path("needs/<int:pk>/matches/", matches_views.need_matches, name="need-matches"),
    # match requests (对接): ask, propose, list, detail, decide, withdraw, the message thread
    path(
        "results/<int:pk>/request/",
        match_request_views.match_request_create,
        name="match-request-create",
    ),
    path(
        "needs/<int:pk>/propose/",
        match_request_views.match_request_propose,
        name="match-request-propose",
    ),
    path("requests/", match_request_views.match_request_list, name="match-request-list"),
    path(
        "requests/<int:pk>/",
        match_request_views.match_request_detail,
        name="match-request-detail",
    ),
    path(
        "requests/<int:pk>/accept/",
        match_request_views.match_request_accept,
        name="match-request-accept",
    ),
    path(
        "requests/<int:pk>/decline/",
        match_request_views.match_request_decline,
        name="match-request-decline",
    ),
    path(
        "requests/<int:pk>/withdraw/",
        match_request_views.match_request_withdraw,
        name="match-request-withdraw",
    ),
    path(
        "requests/<int:pk>/messages/",
        match_request_views.match_request_message,
        name="match-request-message",
    ),
    # saved searches and alerts
    path("saved-searches/", alert_views.saved_search_list, name="saved-search-list"),
    path("saved-searches/new/", alert_views.saved_search_create, name="saved-search-create"),
    path(
        "saved-searches/<int:pk>/rename/",
        alert_views.saved_search_rename,
        name="saved-search-rename",
    ),
    path(
        "saved-searches/<int:pk>/delete/",
        alert_views.saved_search_delete,
        name="saved-search-delete",
    ),
    path("alerts/", alert_views.alert_settings, name="alert-settings"),
    path("alerts/follow/", alert_views.listing_follow, name="alert-follow"),
    path(
        "alerts/unsubscribe/<str:token>/",
        alert_views.alerts_unsubscribe,
        name="alerts-unsubscribe",
    ),
]
