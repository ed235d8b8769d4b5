"""Registration-form export API:
``GET /api/v1/agreements/{id}/registration.xlsx`` and ``.../registration.pdf``.

Visible to the agreement's parties and brokers (and admins) through
`contracts.selectors.agreement_get`; anyone else gets 404, anonymous callers 401.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from contracts.registration_export import (
    registration_form_for,
    registration_pdf,
    registration_xlsx,
)
from contracts.selectors import agreement_get
from kernel.spreadsheets import XLSX_MEDIA_TYPE
from kernel.web import attachment


class AgreementRegistrationXlsxApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="agreement_registration_xlsx",
        responses={(200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        agreement = agreement_get(viewer=request.user, pk=pk)
        form = registration_form_for(agreement)
        return attachment(
            registration_xlsx(form),
            media_type=XLSX_MEDIA_TYPE,
            filename=f"{agreement.number}-registration.xlsx",
        )


class AgreementRegistrationPdfApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="agreement_registration_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        agreement = agreement_get(viewer=request.user, pk=pk)
        form = registration_form_for(agreement)
        return attachment(
            registration_pdf(form),
            media_type="application/pdf",
            filename=f"{agreement.number}-registration.pdf",
        )
