"""API routes of verification and registration export, mounted at /api/v1/ by
`marketplace.urls` (include BEFORE the agreements router so that ``agreements/verify/`` is not
taken for a detail route).

Route names: ``api-agreement-verify`` -> agreements/verify/ (POST, public);
``api-agreement-registration-xlsx`` / ``-pdf`` -> agreements/<id>/registration.xlsx / .pdf.
"""

from django.urls import URLPattern, path

from contracts.registration_apis import AgreementRegistrationPdfApi, AgreementRegistrationXlsxApi
from contracts.verify_apis import AgreementVerifyApi

urlpatterns: list[URLPattern] = [
    path("agreements/verify/", AgreementVerifyApi.as_view(), name="api-agreement-verify"),
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
