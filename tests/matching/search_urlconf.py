"""The root URLconf plus the search API under /api/v1/ (used by the search API tests until
the root URLconf includes matching.search.urls itself)."""

from django.urls import include, path

from marketplace.urls import urlpatterns as root_patterns

urlpatterns = [
    path("api/v1/", include("matching.search.urls")),
    *root_patterns,
]
