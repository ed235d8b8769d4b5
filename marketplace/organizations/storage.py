"""Where organisations' evidence files live: a private directory (`PRIVATE_MEDIA_ROOT`), with
no base URL, so no URL ever points at a file; names are random, never the uploader's."""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


class PrivateStorage(FileSystemStorage):
    """Files under `settings.PRIVATE_MEDIA_ROOT` (read at each use, so a changed setting
    applies at once) that have no URL: they are served only by views that check the viewer."""

    # The parent caches these two; these read the setting at each use.
    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through a view.")


def evidence_storage() -> Storage:
    """The private storage of evidence (named by the model field and its migration)."""
    return PrivateStorage(file_permissions_mode=0o600, directory_permissions_mode=0o700)


#: The file name suffix of each accepted content type.
SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def evidence_upload_to(instance: Any, filename: str) -> str:
    """A random path under ``evidence/<organisation id>/`` with the suffix of the checked
    content type (the uploader's file name is kept only in `original_name`)."""
    suffix = SUFFIXES.get(getattr(instance, "content_type", ""), "")
    return f"evidence/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


#: What a downloaded file's stem keeps of the uploader's name: letters and digits of any
#: script, spaces, hyphens and underscores (no dots, so no second extension; no controls).
_UNSAFE_IN_STEM = re.compile(r"[^\w \-]+")


def download_name(original_name: str, content_type: str) -> str:
    """The name a private file is downloaded under: the stem of the uploader's name with only
    safe characters, and the suffix of the content type read from the file's content
    (`SUFFIXES`), never the uploader's extension: a PDF uploaded as "licence.hta" is
    downloaded as "licence.pdf", which no desktop runs as a program."""
    stem = os.path.splitext(original_name.rsplit("/", 1)[-1])[0]
    stem = _UNSAFE_IN_STEM.sub("_", stem).strip(" _-")[:100] or "evidence"
    return stem + SUFFIXES.get(content_type, ".bin")
