"""Public verification API: ``POST /api/v1/agreements/verify/``.

Request: ``multipart/form-data`` with the file in the field ``file`` (anyone may call it; no
authentication, no CSRF because no session is used).

Responses (errors in the one shape ``{"message", "code", "fields"}``):

- 200: the verification report (`contracts.verification.report.VerificationReport.as_dict`), whose
  ``status`` is ``valid``, ``tampered`` or ``not_keqiao``.
- 400 ``required``: no file in the field ``file``; ``not_pdf``: the file is not a PDF;
  ``unreadable_pdf``: it looks like a PDF but cannot be parsed; ``too_complex``: checking it
  exceeded the CPU or memory limit.
- 408 ``upload_timeout``: the body was not read within ``VERIFY_UPLOAD_READ_SECONDS``.
- 411 ``length_required``: the request has no ``Content-Length`` (e.g. a chunked upload).
- 413 ``too_large``: the body or the file exceeds ``VERIFY_MAX_UPLOAD_BYTES`` (checked on
  Content-Length before the body is read, and while the file streams in).
- 429 ``throttled``: over the rate limit of the scope ``verify`` (with ``Retry-After``).
- 503 ``busy``: every verification slot is taken (with ``Retry-After``), checked before the
  body is read and again when the check starts; ``verify_timeout``: the check exceeded its
  wall time. See `contracts.verification.limits`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.verification.limits import read_upload, start_upload
from contracts.verification.report import verify_upload


class AgreementVerifyApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    throttle_scope = "verify"  # kernel.api.throttling

    @extend_schema(
        operation_id="agreement_verify",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={
            200: OpenApiResponse(description="Verification report (status valid / tampered / "
                                 "not_keqiao)."),
            400: OpenApiResponse(description="No file (required), not a PDF (not_pdf), an "
                                 "unreadable PDF (unreadable_pdf) or too complex to check "
                                 "(too_complex)."),
            408: OpenApiResponse(description="The body was not sent within "
                                 "KEQIAO_VERIFY_UPLOAD_READ_SECONDS (upload_timeout)."),
            411: OpenApiResponse(description="No Content-Length, e.g. a chunked upload "
                                 "(length_required)."),
            413: OpenApiResponse(description="File too large (too_large)."),
            429: OpenApiResponse(description="Rate limit reached (throttled), with "
                                 "Retry-After."),
            503: OpenApiResponse(description="Every verification slot is busy (busy, with "
                                 "Retry-After; before the body is read or when the check "
                                 "starts) or the check timed out (verify_timeout)."),
        },
    )
    def post(self, request: Request) -> Response:
        limit = start_upload(request._request)  # before the body is read; holds no slot
        data = read_upload(request.FILES.get("file"), limit=limit)
        report = verify_upload(data)  # takes a verification slot for the seal check
        return Response(report.as_dict())
