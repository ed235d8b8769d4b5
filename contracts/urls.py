"""Agreement web pages (mounted at the site root by the root URLconf).

URL names: agreement-list, agreement-create (match request pk), agreement-detail,
agreement-edit, agreement-version (pk, number), agreement-approve, agreement-reopen,
agreement-check,
agreement-sign, agreement-pdf, agreement-amend. The public verification page is
`contracts.verify_web_urls` (agreements/verify/).
"""

from django.urls import path

from contracts import views

urlpatterns = [
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
    path("agreements/<int:pk>/pdf/", views.agreement_pdf, name="agreement-pdf"),
    path("agreements/<int:pk>/amend/", views.agreement_amend, name="agreement-amend"),
]
