"""Web pages of matching, included at the site root by `marketplace.urls`.

URL names (used with `{% url %}`): home (the search page, `matching.search.views`), dashboard
and notifications-mark-read (`matching.dashboard.views`); result-matches and need-matches
(`matching.matches.urls`); match-request-create (result pk), match-request-propose (need pk),
match-request-list, match-request-detail, match-request-accept, match-request-decline,
match-request-withdraw, match-request-message (`matching.match_requests.urls`).
Every route is a distinct path, so the order of the lists does not matter.
"""

from django.urls import URLPattern, URLResolver, include, path

from matching.dashboard import views as dashboard_views
from matching.search import views as search_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", search_views.home, name="home"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(
        "notifications/read/",
        dashboard_views.notifications_mark_read,
        name="notifications-mark-read",
    ),
    path("", include("matching.matches.urls")),
    path("", include("matching.match_requests.urls")),
]
