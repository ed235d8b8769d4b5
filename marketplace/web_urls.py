"""Listings web pages: details, create/edit forms, owner actions and the moderation queue.

URL names (used with `{% url %}`): result-detail, need-detail, result-create, need-create,
result-edit, need-edit, result-action / need-action (kwargs pk, action), moderation-queue,
moderation-decide (kwargs kind, pk, decision).
"""

from django.urls import path

from marketplace import views

urlpatterns = [
    path("results/new/", views.result_create, name="result-create"),
    path("results/<int:pk>/", views.result_detail, name="result-detail"),
    path("results/<int:pk>/edit/", views.result_edit, name="result-edit"),
    path(
        "results/<int:pk>/<slug:action>/",
        views.listing_action,
        {"kind": "result"},
        name="result-action",
    ),
    path("needs/new/", views.need_create, name="need-create"),
    path("needs/<int:pk>/", views.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need-edit"),
    path(
        "needs/<int:pk>/<slug:action>/",
        views.listing_action,
        {"kind": "need"},
        name="need-action",
    ),
    path("moderation/", views.moderation_queue, name="moderation-queue"),
    path(
        "moderation/<str:kind>/<int:pk>/<slug:decision>/",
        views.moderation_decide,
        name="moderation-decide",
    ),
]
