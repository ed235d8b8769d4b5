"""Listings web pages: details, create/edit forms, owner actions and the moderation queue.
The listings domain's web `urls.py`, named apart because `marketplace.urls` is the site's root
URL configuration, which includes it at the site root.

URL names (used with `{% url %}`): result-detail, need-detail, result-create, need-create,
result-edit, need-edit, result-action / need-action (kwargs pk, action), moderation-queue,
moderation-decide (kwargs kind, pk, decision).
"""

from django.urls import path, register_converter

from marketplace import views


class ListingActionConverter:
    """The owner actions of a listing (`views.listing_action`), and nothing else, so that
    ``results/<pk>/matches/`` and the other apps' listing pages never match here, whatever the
    order in which the root URL configuration includes the apps."""

    regex = "submit|renew|archive|close"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ListingActionConverter, "listing_action")

urlpatterns = [
    path("results/new/", views.result_create, name="result-create"),
    path("results/<int:pk>/", views.result_detail, name="result-detail"),
    path("results/<int:pk>/edit/", views.result_edit, name="result-edit"),
    path(
        "results/<int:pk>/<listing_action:action>/",
        views.listing_action,
        {"kind": "result"},
        name="result-action",
    ),
    path("needs/new/", views.need_create, name="need-create"),
    path("needs/<int:pk>/", views.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", views.need_edit, name="need-edit"),
    path(
        "needs/<int:pk>/<listing_action:action>/",
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
