"""Web route of the public verification page (mounted at the site root by `marketplace.urls`).
Route name: ``agreement-verify`` -> agreements/verify/."""

from django.urls import URLPattern, path

from contracts.verify_views import agreement_verify

urlpatterns: list[URLPattern] = [
    path("agreements/verify/", agreement_verify, name="agreement-verify"),
]
