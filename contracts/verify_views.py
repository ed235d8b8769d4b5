"""Public web page /agreements/verify/: upload any file, see whether it is an intact Keqiao
agreement (the same `contracts.verification.verify_upload` as the API)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from contracts.seal import CertificateInfo, platform_certificate_info
from contracts.verification import STATUS_TAMPERED, VerificationReport, verify_upload
from contracts.verify_apis import body_too_large, upload_too_large_message

TEMPLATE = "contracts/verify.html"


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Agreement PDF"),
        help_text=_("Any file: we report whether it is an intact agreement sealed by Keqiao."),
        allow_empty_file=True,
    )


@require_http_methods(["GET", "POST"])
def agreement_verify(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: the form and the report (200), 400 without a file, 413 for
    a file over ``VERIFY_MAX_UPLOAD_BYTES``."""
    try:
        certificate = platform_certificate_info()
    except Exception:  # the page still works without showing the fingerprint
        certificate = None
    context: dict[str, object] = {"certificate": certificate, "report": None, "error": ""}
    if request.method == "GET":
        context["form"] = VerifyUploadForm()
        return render(request, TEMPLATE, context)
    if body_too_large(request.META):
        context["form"] = VerifyUploadForm()
        context["error"] = upload_too_large_message()
        return render(request, TEMPLATE, context, status=413)
    form = VerifyUploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read(settings.VERIFY_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.VERIFY_MAX_UPLOAD_BYTES:
        context["error"] = upload_too_large_message()
        return render(request, TEMPLATE, context, status=413)
    report = verify_upload(data)
    context["report"] = report
    context["keqiao_certificate"] = _carries_platform_certificate(report, certificate)
    context["reasons"] = _reasons(report, certificate)
    return render(request, TEMPLATE, context)


def _carries_platform_certificate(
    report: VerificationReport, certificate: CertificateInfo | None
) -> bool:
    """True when the file's (last) seal was made with the platform certificate: trusted, or
    its certificate's SHA-256 fingerprint is the platform certificate's (a changed file is no
    longer `trusted`, but it still carries our certificate)."""
    if report.seal.trusted:
        return True
    signer = report.seal.signer
    return bool(
        certificate is not None
        and signer is not None
        and signer.sha256_fingerprint
        and signer.sha256_fingerprint == certificate.sha256_fingerprint
    )


def _reasons(report: VerificationReport, certificate: CertificateInfo | None) -> list[str]:
    """The report's reasons for the page. A tampered file carrying the platform certificate is
    not "not sealed by Keqiao": it was sealed by Keqiao and changed since (the API keeps the
    verifier's reasons as they are)."""
    reasons = [str(reason) for reason in report.reasons]
    if report.status != STATUS_TAMPERED or not _carries_platform_certificate(
        report, certificate
    ):
        return reasons
    dropped = {
        gettext("The file is not sealed by Keqiao."),
        gettext("The seal is broken: the file was changed after it was sealed."),
    }
    changed = gettext(
        "Sealed by Keqiao, but the seal is no longer valid: the file was changed after it "
        "was sealed."
    )
    return [changed] + [reason for reason in reasons if reason not in dropped]
