"""Public verification API (issue 5, item 6): ``POST /api/v1/agreements/verify/``.

Request: ``multipart/form-data`` with the file in the field ``file`` (anyone may call it; no
authentication, no CSRF because no session is used).

Responses (errors in the one shape ``{"message", "code", "fields"}``):

- 200: the verification report (`contracts.verification.VerificationReport.as_dict`), whose
  ``status`` is ``valid``, ``tampered``, ``not_keqiao`` or ``not_pdf``. Garbage is a valid
  question with a clear answer, so it is a 200 with ``status: "not_pdf"``, not an error.
- 400 ``required``: no file in the field ``file``.
- 413 ``too_large``: the body or the file exceeds ``VERIFY_MAX_UPLOAD_BYTES`` (checked on
  Content-Length before the body is read, and on the file size).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.verification import verify_upload
from marketplace.errors import DomainError

#: Room for the multipart envelope around the file when checking Content-Length.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class UploadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def upload_too_large_message() -> str:
    return _("The file is too large; the limit is %(limit)s.") % {
        "limit": filesizeformat(settings.VERIFY_MAX_UPLOAD_BYTES)
    }


def body_too_large(meta: dict[str, Any]) -> bool:
    """Whether Content-Length alone shows the upload exceeds the limit."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.VERIFY_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES


class AgreementVerifyApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

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
                                 "not_keqiao / not_pdf)."),
            400: OpenApiResponse(description="No file uploaded."),
            413: OpenApiResponse(description="File too large."),
        },
    )
    def post(self, request: Request) -> Response:
        if body_too_large(request.META):
            raise UploadTooLarge(upload_too_large_message())
        upload = request.FILES.get("file")
        if upload is None:
            message = _("Upload the agreement PDF in the field \"file\".")
            raise DomainError(message, code="required", fields={"file": [message]})
        if upload.size is not None and upload.size > settings.VERIFY_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(upload_too_large_message())
        data = upload.read(settings.VERIFY_MAX_UPLOAD_BYTES + 1)
        if len(data) > settings.VERIFY_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(upload_too_large_message())
        report = verify_upload(data)
        return Response(report.as_dict())
