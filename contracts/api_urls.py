"""Every API route of the contracts app; the root URLconf includes them once, under /api/v1/.

Agreements are addressed by their numeric id (``<int:pk>``), so ``agreements/verify/`` (the
public verification, ``api-agreement-verify``) can never be read as a detail route, whatever
the order of the routes or of the root URLconf's includes. Registration-form export:
``api-agreement-registration-xlsx`` / ``-pdf`` -> agreements/<id>/registration.xlsx / .pdf.
"""

from django.urls import URLPattern, path

from contracts import apis
from contracts.registration_apis import AgreementRegistrationPdfApi, AgreementRegistrationXlsxApi
from contracts.verification.apis import AgreementVerifyApi

urlpatterns: list[URLPattern] = [
    path("agreements/verify/", AgreementVerifyApi.as_view(), name="api-agreement-verify"),
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
    path(
        "agreements/<int:pk>/preview.pdf",
        apis.AgreementPreviewApi.as_view(),
        name="api-agreement-preview",
    ),
    path("agreements/<int:pk>/pdf/", apis.AgreementPdfApi.as_view(), name="api-agreement-pdf"),
    path(
        "agreements/<int:pk>/events/",
        apis.AgreementEventsApi.as_view(),
        name="api-agreement-events",
    ),
    path(
        "agreements/<int:pk>/amend/", apis.AgreementAmendApi.as_view(), name="api-agreement-amend"
    ),
    path(
        "agreements/<int:pk>/registration.xlsx",
        AgreementRegistrationXlsxApi.as_view(),
        name="api-agreement-registration-xlsx",
    ),
    path(
        "agreements/<int:pk>/registration.pdf",
        AgreementRegistrationPdfApi.as_view(),
        name="api-agreement-registration-pdf",
    ),
]
