"""Public verification API: ``POST /api/v1/agreements/verify/``.

Request: ``multipart/form-data`` with the file in the field ``file`` (anyone may call it; no
authentication, no CSRF because no session is used).

Responses (errors in the one shape ``{"message", "code", "fields"}``):

- 200: the verification report (`contracts.verification.VerificationReport.as_dict`), whose
  ``status`` is ``valid``, ``tampered`` or ``not_keqiao``.
- 400 ``required``: no file in the field ``file``; ``not_pdf``: the file is not a PDF;
  ``unreadable_pdf``: it looks like a PDF but cannot be parsed; ``too_complex``: checking it
  exceeded the CPU or memory limit.
- 413 ``too_large``: the body or the file exceeds ``VERIFY_MAX_UPLOAD_BYTES`` (checked on
  Content-Length before the body is read, and while the file streams in).
- 429 ``throttled``: over the rate limit of the scope ``verify`` (with ``Retry-After``).
- 503 ``busy``: every verification slot is taken (with ``Retry-After``); ``verify_timeout``:
  the check exceeded its wall time. See `contracts.verify_limits`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.verification import verify_upload
from contracts.verify_limits import (
    body_too_large,
    install_upload_limit,
    upload_too_large_message,
    verification_slot,
)
from marketplace.errors import DomainError


class UploadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class AgreementVerifyApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]
    throttle_scope = "verify"  # marketplace.api.throttling

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
            413: OpenApiResponse(description="File too large (too_large)."),
            429: OpenApiResponse(description="Rate limit reached (throttled), with "
                                 "Retry-After."),
            503: OpenApiResponse(description="Every verification slot is busy (busy, with "
                                 "Retry-After) or the check timed out (verify_timeout)."),
        },
    )
    def post(self, request: Request) -> Response:
        if body_too_large(request.META):
            raise UploadTooLarge(upload_too_large_message())
        with verification_slot():  # before the body is read (contracts.verify_limits)
            limit = install_upload_limit(request._request)
            upload = request.FILES.get("file")
            if limit.exceeded:
                raise UploadTooLarge(upload_too_large_message())
            if upload is None:
                message = _("Upload the agreement PDF in the field \"file\".")
                raise DomainError(message, code="required", fields={"file": [message]})
            data = upload.read(settings.VERIFY_MAX_UPLOAD_BYTES + 1)
            if len(data) > settings.VERIFY_MAX_UPLOAD_BYTES:
                raise UploadTooLarge(upload_too_large_message())
            report = verify_upload(data)
        return Response(report.as_dict())
