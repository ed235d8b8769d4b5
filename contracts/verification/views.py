"""Public web page /agreements/verify/: upload any file, see whether it is an intact Keqiao
agreement (the same `contracts.verification.report.verify_upload` as the API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from contracts.verification.limits import (
    BUSY_RETRY_AFTER_SECONDS,
    LengthRequired,
    UploadLimitHandler,
    UploadMissing,
    UploadTimedOut,
    VerifyBusy,
    read_upload,
    start_upload,
)
from contracts.verification.report import (
    STATUS_TAMPERED,
    VerificationReport,
    carries_platform_certificate,
    verify_upload,
)
from kernel.api.errors import RequestTooLarge
from kernel.api.throttling import throttle_web
from kernel.errors import DomainError, ServiceUnavailableError

if TYPE_CHECKING:
    # pyHanko (about 0.3 s to import) loads with the first seal check, not with the URLs.
    from contracts.seal import CertificateInfo

TEMPLATE = "contracts/verify.html"


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Agreement PDF"),
        help_text=_("Any file: we report whether it is an intact agreement sealed by Keqiao."),
        allow_empty_file=True,
    )


#: Refusals of an upload before or while its body is read, answered with their own status.
_UPLOAD_REFUSALS = (LengthRequired, RequestTooLarge, UploadTimedOut)


@csrf_exempt  # checked by _verify_page after the size checks: the token is in the body
@require_http_methods(["GET", "POST"])
@throttle_web("verify")
def agreement_verify(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: the form and the report (200); 400 without a file or for
    a file that is not a readable PDF (or too complex to check), 408 when the body is not
    read within ``VERIFY_UPLOAD_READ_SECONDS``, 411 without Content-Length (a chunked
    upload), 413 for a file over ``VERIFY_MAX_UPLOAD_BYTES`` (refused by Content-Length
    before the body is read, or while it streams in), 429 over the rate limit, 503 when
    every verification slot is busy (before the body is read, or when the check starts).
    See `contracts.verification.limits`."""
    if request.method != "POST":
        return _verify_page(request, limit=None)
    try:
        limit = start_upload(request)  # before the body is read; holds no slot
        return _verify_page(request, limit=limit)
    except _UPLOAD_REFUSALS as exc:
        return _page(
            request,
            {"form": VerifyUploadForm(), "error": str(exc.detail)},
            status=exc.status_code,
        )
    except VerifyBusy as exc:
        return _page(request, {"form": VerifyUploadForm(), "error": str(exc.message)}, status=503)


def _certificate() -> CertificateInfo | None:
    from contracts.seal import platform_certificate_info  # imports pyHanko

    try:
        return platform_certificate_info()
    except Exception:  # the page still works without showing the fingerprint
        return None


def _page(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    full: dict[str, object] = {"report": None, "error": ""}
    full.update(context)
    if "certificate" not in full:
        full["certificate"] = _certificate()
    response = render(request, TEMPLATE, full, status=status)
    if status == 503:
        response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


@csrf_protect
def _verify_page(request: HttpRequest, *, limit: UploadLimitHandler | None) -> HttpResponse:
    if limit is None:  # GET
        return _page(request, {"form": VerifyUploadForm()})
    form = VerifyUploadForm(request.POST, request.FILES)
    try:  # _UPLOAD_REFUSALS are answered by agreement_verify
        data = read_upload(form.cleaned_data["file"] if form.is_valid() else None, limit=limit)
    except UploadMissing:
        return _page(request, {"form": form}, status=400)
    try:
        report = verify_upload(data)  # takes a verification slot for the seal check
    except DomainError as exc:
        status = 503 if isinstance(exc, ServiceUnavailableError) else 400
        return _page(request, {"form": form, "error": str(exc.message)}, status=status)
    certificate = _certificate()
    keqiao = carries_platform_certificate(report.seal, certificate)
    return _page(
        request,
        {
            "certificate": certificate,
            "form": form,
            "report": report,
            "keqiao_certificate": keqiao,
            "reasons": _reasons(report, keqiao),
        },
    )


def _reasons(report: VerificationReport, keqiao_certificate: bool) -> list[str]:
    """The report's reasons for the page. A tampered file carrying the platform certificate is
    not "not sealed by Keqiao": it was sealed by Keqiao and changed since (the API keeps the
    verifier's reasons as they are)."""
    reasons = [str(reason) for reason in report.reasons]
    if report.status != STATUS_TAMPERED or not keqiao_certificate:
        return reasons
    dropped = {
        gettext("The file is not sealed by Keqiao."),
        gettext("The seal is broken: the file was changed after it was sealed."),
    }
    changed = gettext(
        "Sealed by Keqiao, but the seal is no longer valid: the file was changed after it "
        "was sealed."
    )
    if not report.seal.intact:
        return [changed] + [reason for reason in reasons if reason not in dropped]
    return reasons
