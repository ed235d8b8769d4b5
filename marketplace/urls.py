"""Root URL configuration of the site (ROOT_URLCONF): admin, i18n, and every app's one web
`urls.py` and one `api_urls.py` (the API under /api/v1/), the accounts' (django-allauth) under
/accounts/. The listings domain's own lists are `marketplace.web_urls` and
`marketplace.api_urls`."""

from typing import Any

from django.contrib import admin
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("marketplace.api_urls")),
    path("", include("matching.api_urls")),
    path("", include("contracts.api_urls")),
    path("", include("projects.api_urls")),
    path("", include("accounts.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view loads its init script from a URL: no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]


class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on their own: the site's icon (static/favicon.svg,
    also named by each page's <link rel="icon">), resolved when asked for."""

    permanent = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("favicon.ico", FaviconView.as_view()),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("payments.urls")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
    path("", include("matching.urls")),
    path("", include("contracts.urls")),
    path("", include("projects.urls")),
    path("", include("marketplace.web_urls")),
]

handler404 = "kernel.api.errors.not_found"
handler400 = "kernel.error_views.bad_request"
handler500 = "kernel.error_views.server_error"
