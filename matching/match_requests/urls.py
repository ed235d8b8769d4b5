"""Match-request web pages, included by `matching.urls`: ask, propose, list, detail, decide,
withdraw and the message thread."""

from django.urls import path

from matching.match_requests import views

urlpatterns = [
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
