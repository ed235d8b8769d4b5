"""The site's URLs plus two views that fail, to exercise the 500 handler (tests only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from marketplace.urls import handler400, handler404, handler500
from marketplace.urls import urlpatterns as site_urls


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure")


urlpatterns = [path("failing/", fail), path("api/v1/failing/", fail), *site_urls]
__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
