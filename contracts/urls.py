"""Agreement web pages (mounted at the site root by the root URLconf).

URL names: agreement-list, agreement-create (match request pk), agreement-detail,
agreement-edit, agreement-version (pk, number), agreement-approve, agreement-reopen,
agreement-check, agreement-sign, agreement-preview (the signing preview PDF), agreement-pdf,
agreement-amend; agreement-verify (agreements/verify/, the public verification page).
Agreements are addressed by their numeric id (``<int:pk>``), so no route depends on the order
of the routes or of the root URLconf's includes.
"""

from django.urls import URLPattern, path

from contracts import views
from contracts.verification.views import agreement_verify

urlpatterns: list[URLPattern] = [
    path("agreements/verify/", agreement_verify, name="agreement-verify"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path(
        "agreements/new/<int:match_request_pk>/",
        views.agreement_create,
        name="agreement-create",
    ),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path(
        "agreements/<int:pk>/versions/<int:number>/",
        views.agreement_version,
        name="agreement-version",
    ),
    path("agreements/<int:pk>/approve/", views.agreement_approve, name="agreement-approve"),
    path("agreements/<int:pk>/reopen/", views.agreement_reopen, name="agreement-reopen"),
    path("agreements/<int:pk>/check/", views.agreement_check, name="agreement-check"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement-sign"),
    path("agreements/<int:pk>/preview.pdf", views.agreement_preview, name="agreement-preview"),
    path("agreements/<int:pk>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path("agreements/<int:pk>/amend/", views.agreement_amend, name="agreement-amend"),
]
