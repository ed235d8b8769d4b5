"""Agreement API routes; the root URLconf includes them under /api/v1/ (verification and the
registration export have their own url module, `contracts.verify_urls`)."""

from django.urls import path

from contracts import apis

urlpatterns = [
    path("agreements/", apis.AgreementListApi.as_view(), name="api-agreement-list"),
    path("agreements/<int:pk>/", apis.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path(
        "agreements/<int:pk>/versions/",
        apis.AgreementVersionsApi.as_view(),
        name="api-agreement-versions",
    ),
    path(
        "agreements/<int:pk>/versions/<int:number>/",
        apis.AgreementVersionDetailApi.as_view(),
        name="api-agreement-version-detail",
    ),
    path(
        "agreements/<int:pk>/approve/",
        apis.AgreementApproveApi.as_view(),
        name="api-agreement-approve",
    ),
    path(
        "agreements/<int:pk>/reopen/",
        apis.AgreementReopenApi.as_view(),
        name="api-agreement-reopen",
    ),
    path(
        "agreements/<int:pk>/check/", apis.AgreementCheckApi.as_view(), name="api-agreement-check"
    ),
    path(
        "agreements/<int:pk>/signing/",
        apis.AgreementSigningApi.as_view(),
        name="api-agreement-signing",
    ),
    path(
        "agreements/<int:pk>/document/",
        apis.AgreementDocumentApi.as_view(),
        name="api-agreement-document",
    ),
    path("agreements/<int:pk>/sign/", apis.AgreementSignApi.as_view(), name="api-agreement-sign"),
    path("agreements/<int:pk>/pdf/", apis.AgreementPdfApi.as_view(), name="api-agreement-pdf"),
    path(
        "agreements/<int:pk>/events/",
        apis.AgreementEventsApi.as_view(),
        name="api-agreement-events",
    ),
    path(
        "agreements/<int:pk>/amend/", apis.AgreementAmendApi.as_view(), name="api-agreement-amend"
    ),
]
