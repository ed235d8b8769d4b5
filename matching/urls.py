"""Matching and search web pages.

URL names (used with `{% url %}`): home, dashboard, result-matches, need-matches,
match-request-create (result pk), match-request-propose (need pk), match-request-list,
match-request-detail, match-request-accept, match-request-decline, match-request-withdraw,
match-request-message, notifications-mark-read.
"""

from django.urls import path

from matching import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notifications/read/", views.notifications_mark_read, name="notifications-mark-read"),
    path("results/<int:pk>/matches/", views.result_matches, name="result-matches"),
    path("needs/<int:pk>/matches/", views.need_matches, name="need-matches"),
    path("results/<int:pk>/request/", views.match_request_create, name="match-request-create"),
    path("needs/<int:pk>/propose/", views.match_request_propose, name="match-request-propose"),
    path("requests/", views.match_request_list, name="match-request-list"),
    path("requests/<int:pk>/", views.match_request_detail, name="match-request-detail"),
    path("requests/<int:pk>/accept/", views.match_request_accept, name="match-request-accept"),
    path("requests/<int:pk>/decline/", views.match_request_decline, name="match-request-decline"),
    path(
        "requests/<int:pk>/withdraw/", views.match_request_withdraw, name="match-request-withdraw"
    ),
    path("requests/<int:pk>/messages/", views.match_request_message, name="match-request-message"),
]
