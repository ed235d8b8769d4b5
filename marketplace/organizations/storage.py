"""Where organisations' evidence files live: a private directory (`PRIVATE_MEDIA_ROOT`), with
no base URL, so no URL ever points at a file; names are random, never the uploader's."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def evidence_storage() -> Storage:
    """The private storage (the location is read when called, so tests may change it)."""
    return FileSystemStorage(
        location=settings.PRIVATE_MEDIA_ROOT,
        base_url=None,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )


#: The file name suffix of each accepted content type.
SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def evidence_upload_to(instance: Any, filename: str) -> str:
    """A random path under ``evidence/<organisation id>/`` with the suffix of the checked
    content type (the uploader's file name is kept only in `original_name`)."""
    suffix = SUFFIXES.get(getattr(instance, "content_type", ""), "")
    return f"evidence/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"
