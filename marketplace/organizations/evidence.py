"""Checks of an uploaded evidence file: its size, and its type read from its content (the
file's signature, never its name or the browser's claim). Accepted: PDF (``%PDF-``, ISO
32000-1 §7.5.2), PNG (the 8-byte signature, ISO/IEC 15948 §5.2) and JPEG (SOI marker
``FF D8`` followed by a marker ``FF``, ITU T.81 Annex B)."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from kernel.errors import field_error

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
#: The field of the evidence file in forms and API bodies.
FIELD = "file"


def sniff_content_type(head: bytes) -> str | None:
    """The accepted content type whose signature `head` (the file's first bytes) starts with,
    or None."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def checked_content_type(upload: UploadedFile) -> str:
    """The content type of `upload` read from its first bytes. Raises a `DomainError` on
    ``file`` for an empty or too large file, or one that is not a PDF, PNG or JPEG."""
    size = upload.size or 0
    if size == 0:
        raise field_error(FIELD, _("The file is empty."))
    limit = settings.ORGANIZATION_EVIDENCE_MAX_BYTES
    if size > limit:
        raise field_error(
            FIELD,
            _("The file is too large (at most %(limit)s).") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise field_error(
            FIELD,
            _("Upload a PDF, PNG or JPEG file (business licence)."),
            code="unsupported_type",
        )
    return content_type


class HoldsEvidence(Protocol):
    """A row that keeps one checked upload (`OrganizationEvidence`, `OrganizationClaim`)."""

    file: FieldFile
    original_name: str
    content_type: str
    size: int

    def save(self) -> None: ...


def save_with_upload(instance: HoldsEvidence, upload: UploadedFile) -> None:
    """Check `upload` (`checked_content_type`), store it in the private storage under a random
    name and save `instance` with its file name, type and size; the stored file is removed
    again when the row cannot be saved."""
    instance.content_type = checked_content_type(upload)
    name = (upload.name or "evidence").rsplit("/", 1)[-1][-200:]
    instance.original_name = name
    instance.size = upload.size or 0
    instance.file.save(name, upload, save=False)
    try:
        instance.save()
    except Exception:
        instance.file.delete(save=False)
        raise
