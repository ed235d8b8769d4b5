"""The signing preview: the exact PDF a signer sees, and approves by its SHA-256, before
signing; the sealed PDF is these bytes plus one incremental update
(`contracts.services.sealing`), so its first revision hashes to the same SHA-256.

The preview is the frozen version's contract, signature blocks included, rendered from
`contracts.selectors.agreement_preview_context` (nothing in it changes after freezing: no
rendering time, signature or audit event) with the shared renderer, whose output is the same
bytes for the same input (WeasyPrint writes no creation date or random file identifier; the
font subsets are named from their glyphs). It is rendered once per version, in a child process
with the render time limit (`kernel.pdf.process`), outside any transaction, and stored on the
version (`AgreementVersion.preview_pdf`, `preview_sha256`) only while none is stored yet:
concurrent first renders store the same bytes once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from contracts.models import Agreement, AgreementVersion
from contracts.services.sealing import PDF_TEMPLATE, render_timeout
from kernel.errors import ConflictError


@dataclass(frozen=True)
class SigningPreview:
    """A version's signing preview: its number, PDF bytes and their SHA-256 (hex)."""

    version: int
    pdf: bytes
    sha256: str


def render_preview(agreement: Agreement) -> bytes:
    """Render the signing preview of `agreement`'s frozen version (no storing); the same
    bytes every time for the same version."""
    from contracts.selectors import agreement_preview_context
    from kernel.pdf.process import render_pdf_with_time_limit

    return render_pdf_with_time_limit(
        template_name=PDF_TEMPLATE,
        context=agreement_preview_context(agreement=agreement),
        timeout=render_timeout(),
    )


def _frozen_version(agreement: Agreement) -> AgreementVersion:
    if agreement.frozen_version_id is None:
        raise ConflictError(
            _("Both parties must approve the final version before signing."), code="not_frozen"
        )
    version = agreement.frozen_version
    assert version is not None
    return version


def preview_sha256(*, agreement: Agreement) -> str:
    """The SHA-256 of the frozen version's signing preview, rendering and storing the preview
    first if needed (call outside a transaction: the render may take seconds). 409
    `not_frozen` before both parties approved a version."""
    version = _frozen_version(agreement)
    stored = (
        AgreementVersion.objects.filter(pk=version.pk)
        .values_list("preview_sha256", flat=True)
        .first()
    )
    return stored or _render_and_store(agreement, version).sha256


def agreement_preview(*, agreement: Agreement) -> SigningPreview:
    """The frozen version's signing preview (rendered and stored first if needed, like
    `preview_sha256`)."""
    version = _frozen_version(agreement)
    row = (
        AgreementVersion.objects.filter(pk=version.pk)
        .values_list("preview_pdf", "preview_sha256")
        .first()
    )
    if row is not None and row[1]:
        return SigningPreview(version.number, bytes(row[0] or b""), row[1])
    return _render_and_store(agreement, version)


def _render_and_store(agreement: Agreement, version: AgreementVersion) -> SigningPreview:
    pdf = render_preview(agreement)
    digest = hashlib.sha256(pdf).hexdigest()
    AgreementVersion.objects.filter(pk=version.pk, preview_sha256="").update(
        preview_pdf=pdf, preview_sha256=digest
    )
    version.preview_sha256 = digest
    return SigningPreview(version.number, pdf, digest)


__all__ = ["SigningPreview", "agreement_preview", "preview_sha256", "render_preview"]
