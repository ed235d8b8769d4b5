"""Agreement API (thin views over `contracts.services` and `contracts.selectors`).

GET  /api/v1/agreements/                       agreements the viewer may see (paginated)
POST /api/v1/agreements/                       draft from an accepted match request
                                               {"match_request", "contract_type"?, "subtype"?}
GET  /api/v1/agreements/{id}/                  detail with the current terms and signatures
GET  /api/v1/agreements/{id}/versions/         versions (number, author, note, hash, approvals)
POST /api/v1/agreements/{id}/versions/         edit = new version {"parties"?, "clauses"?,
                                               "patent"?, "payment"?, "validity"?, "signing"?,
                                               "note"?, "base_version"?}
GET  /api/v1/agreements/{id}/versions/{n}/     one version's terms and its diff to n-1
POST /api/v1/agreements/{id}/approve/          {"version"?}; both parties -> frozen; 400
                                               `registration_check_failed` (blocking findings
                                               per field) while the check finds blocking errors
POST /api/v1/agreements/{id}/reopen/           {"reason"?}; approved, not fully signed -> draft
                                               (a new version to approve again; signatures
                                               already given are withdrawn)
POST /api/v1/agreements/{id}/check/            registration check {"ok", "errors", "warnings"}
GET  /api/v1/agreements/{id}/signing/          what the signer sees: document hash, turn, check
GET  /api/v1/agreements/{id}/document/         the exact canonical JSON bytes that are signed
POST /api/v1/agreements/{id}/sign/             {"password", "typed_name", "document_sha256"}
GET  /api/v1/agreements/{id}/pdf/              the sealed PDF (application/pdf); 409
                                               `seal_pending` while signed but not yet sealed
GET  /api/v1/agreements/{id}/events/           the audit trail
POST /api/v1/agreements/{id}/amend/            new draft agreement linked to a signed one

Visibility: party members and brokers; anyone else gets 404. Errors in the one error shape:
400 per field, 403, 404, 409 (frozen/signed, not your turn, stale version, ...).
The document signed is the frozen version's canonical JSON (UTF-8, keys sorted, no spaces):
`document_sha256` is its SHA-256, and `GET .../document/` returns exactly those bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts import selectors, services
from contracts.checks import CheckReport, check_agreement
from contracts.models import Agreement
from contracts.serializers import (
    AgreementCreateInputSerializer,
    AgreementDetailSerializer,
    AgreementSerializer,
    ApproveInputSerializer,
    CheckReportSerializer,
    EventSerializer,
    ReopenInputSerializer,
    SigningStateSerializer,
    SignInputSerializer,
    VersionCreateInputSerializer,
    VersionDetailSerializer,
    VersionSummarySerializer,
)
from contracts.services.audit import client_info
from kernel.api.pagination import PageNumberPagination
from kernel.web import attachment, request_actor
from matching.match_requests import selectors as match_selectors

if TYPE_CHECKING:
    from marketplace.roles import AnyUser

TAG = ["agreements"]


def _report_data(report: CheckReport) -> dict[str, Any]:
    language = get_language()
    return {
        "ok": report.ok,
        "errors": [f.as_dict(language) for f in report.errors],
        "warnings": [f.as_dict(language) for f in report.warnings],
    }


def _detail(agreement: Agreement) -> Response:
    agreement.refresh_from_db()
    return Response(AgreementDetailSerializer(agreement).data)


class AgreementListApi(GenericAPIView[Agreement]):
    permission_classes = [IsAuthenticated]
    pagination_class = PageNumberPagination
    filter_backends = ()  # the list takes no filter parameters
    serializer_class = AgreementSerializer

    @extend_schema(
        tags=TAG, operation_id="agreement_list", responses=AgreementSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        qs = selectors.agreement_list(viewer=request.user)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(AgreementSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="agreement_create",
        request=AgreementCreateInputSerializer,
        responses={201: AgreementDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = AgreementCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match_request = match_selectors.match_request_get(
            viewer=request.user, pk=data.validated_data["match_request"]
        )
        agreement = services.agreement_create_from_match_request(
            match_request=match_request,
            actor=request_actor(request),
            client=client_info(request),
            contract_type=data.validated_data.get("contract_type"),
            subtype=data.validated_data.get("subtype"),
        )
        return Response(AgreementDetailSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="agreement_detail", responses=AgreementDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            AgreementDetailSerializer(selectors.agreement_get(viewer=request.user, pk=pk)).data
        )


class AgreementVersionsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG, operation_id="agreement_versions", responses=VersionSummarySerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        versions = selectors.agreement_versions(agreement=agreement)
        return Response(VersionSummarySerializer(versions, many=True).data)

    @extend_schema(
        tags=TAG,
        operation_id="agreement_version_create",
        request=VersionCreateInputSerializer,
        responses={201: VersionDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        data = VersionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        note = values.pop("note", "")
        base_version = values.pop("base_version", None)
        version = services.agreement_version_create(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
            changes=values,
            note=note,
            base_version=base_version,
        )
        diff = selectors.agreement_version_diff(version=version)
        body = VersionDetailSerializer(
            version, context={"diff": diff, "language": get_language()}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class AgreementVersionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="agreement_version", responses=VersionDetailSerializer)
    def get(self, request: Request, pk: int, number: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        version = selectors.agreement_version_get(agreement=agreement, number=number)
        diff = selectors.agreement_version_diff(version=version)
        return Response(
            VersionDetailSerializer(
                version, context={"diff": diff, "language": get_language()}
            ).data
        )


class AgreementApproveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="agreement_approve",
        request=ApproveInputSerializer,
        responses=AgreementDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        data = ApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_approve(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
            version_number=data.validated_data.get("version"),
        )
        return _detail(agreement)


class AgreementReopenApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="agreement_reopen",
        request=ReopenInputSerializer,
        responses=AgreementDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        data = ReopenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_reopen(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
            reason=data.validated_data["reason"],
        )
        return _detail(agreement)


class AgreementCheckApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG, operation_id="agreement_check", request=None, responses=CheckReportSerializer
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        report = services.agreement_check(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
        )
        return Response(CheckReportSerializer(_report_data(report)).data)


def signing_state(agreement: Agreement, user: AnyUser) -> dict[str, Any]:
    """What a signer sees before signing (shared with the web page). Renders the signing
    preview when it is not stored yet (`contracts.services.preview`): call it outside a
    transaction."""
    from django.urls import reverse

    from contracts.services.signing import name_on_record

    slot = selectors.next_signature_for(agreement, user)
    version = agreement.frozen_version or agreement.latest_version()
    signing = (version.signing if version else {}) or {}
    frozen = agreement.frozen_version_id is not None
    return {
        "document_sha256": agreement.document_sha256,
        "document_url": reverse("api-agreement-document", kwargs={"pk": agreement.pk}),
        "hash_of": "SHA-256 of the frozen version's canonical JSON (UTF-8, sorted keys, "
        "no insignificant whitespace), as returned by document_url",
        "preview_sha256": services.preview_sha256(agreement=agreement) if frozen else "",
        "preview_url": reverse("api-agreement-preview", kwargs={"pk": agreement.pk})
        if frozen else "",
        "name_on_record": name_on_record(user),
        "mode": signing.get("mode", ""),
        "my_party": slot.party if slot else None,
        "my_turn": bool(slot and agreement.is_frozen and selectors.is_turn(agreement, slot)),
        "signatures": list(selectors.agreement_signatures(agreement=agreement)),
        "check": _report_data(check_agreement(agreement=agreement)),
    }


def preview_response(agreement: Agreement) -> HttpResponse:
    """The signing preview PDF, shown in the browser (inline), with its SHA-256 in
    ``X-Content-SHA256``; 409 `not_frozen` before a version is frozen."""
    preview = services.agreement_preview(agreement=agreement)
    return _agreement_pdf(preview.pdf, f"{agreement.number}-v{preview.version}-preview.pdf",
                          sha256=preview.sha256, inline=True)


def _agreement_pdf(data: bytes, filename: str, *, sha256: str, inline: bool) -> HttpResponse:
    """An agreement's PDF (`kernel.web.attachment`) with its SHA-256 in ``X-Content-SHA256``,
    never cached by shared caches."""
    response = attachment(data, "application/pdf", filename, inline=inline)
    response["X-Content-SHA256"] = sha256
    response["Cache-Control"] = "private, no-store"
    return response


class AgreementPreviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="agreement_preview",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="signing preview PDF of the frozen version (its SHA-256 is what "
                "a signer sends as preview_sha256)",
            )
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return preview_response(selectors.agreement_get(viewer=request.user, pk=pk))


class AgreementSigningApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAG, operation_id="agreement_signing", responses=SigningStateSerializer)
    def get(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        return Response(SigningStateSerializer(signing_state(agreement, request.user)).data)


class AgreementDocumentApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="agreement_document",
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="canonical JSON"
            )
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        version = agreement.frozen_version or agreement.latest_version()
        assert version is not None
        response = HttpResponse(
            version.document_bytes(), content_type="application/json; charset=utf-8"
        )
        response["X-Document-SHA256"] = version.sha256
        return response


class AgreementSignApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "sign"  # each attempt checks the password (kernel.api.throttling)

    @extend_schema(
        tags=TAG,
        operation_id="agreement_sign",
        request=SignInputSerializer,
        responses=AgreementDetailSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        data = SignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_sign(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
            password=data.validated_data["password"],
            typed_name=data.validated_data["typed_name"],
            document_sha256=data.validated_data["document_sha256"],
            preview_sha256=data.validated_data["preview_sha256"],
        )
        return _detail(agreement)


def pdf_response(agreement: Agreement, request: Request | HttpRequest) -> HttpResponse:
    """The sealed PDF as an attachment (records a `downloaded` event)."""
    data = services.agreement_pdf_download(
        agreement=agreement, actor=request_actor(request), client=client_info(request)
    )
    return _agreement_pdf(data, f"{agreement.number}.pdf", sha256=agreement.sealed_pdf_sha256,
                          inline=False)


class AgreementPdfApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="agreement_pdf",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="sealed PDF"
            )
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk, with_pdf=True)
        return pdf_response(agreement, request)


class AgreementEventsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG, operation_id="agreement_events", responses=EventSerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        events = selectors.agreement_events(agreement=agreement)
        return Response(EventSerializer(events, many=True).data)


class AgreementAmendApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG,
        operation_id="agreement_amend",
        request=None,
        responses={201: AgreementDetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        agreement = selectors.agreement_get(viewer=request.user, pk=pk)
        amendment = services.agreement_amend(
            agreement=agreement,
            actor=request_actor(request),
            client=client_info(request),
        )
        return Response(AgreementDetailSerializer(amendment).data, status=status.HTTP_201_CREATED)

