"""Bounds on the public verification of uploaded PDFs, so that hostile uploads cannot tie up
the site:

- size: `body_too_large` refuses by ``Content-Length`` before the body is read, and
  `UploadLimitHandler` (the first upload handler) stops reading as soon as more than
  ``VERIFY_MAX_UPLOAD_BYTES`` of file data has streamed in; `upload_slot` and `read_upload`
  take an upload through these steps for the API and the web page alike;
- work: `verify_pdf_bounded` runs the seal check (`contracts.seal.verify_pdf`) in a child
  process (`marketplace.child_process`) at the lowest CPU priority (SCHED_IDLE on Linux: only
  CPU time that page views leave idle), with an address-space limit of the worker's own size plus
  ``VERIFY_MEMORY_BYTES``, a CPU-time limit of ``VERIFY_CPU_SECONDS`` and a wall-time limit
  of ``VERIFY_TIMEOUT_SECONDS``;
- concurrency: at most ``VERIFY_CONCURRENCY`` uploads are read and checked at once on the
  machine, counted with file locks under ``VAR_DIR/verify-slots`` (held by the worker
  process, released by the kernel even if it dies). The views take a slot (`verification_slot`)
  before reading the body; with every slot taken an upload is refused at once (`VerifyBusy`,
  503 with ``Retry-After``), unread, rather than queued, so waiting uploads never hold
  workers that page views need.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from filelock import FileLock, Timeout

from contracts.seal import SealVerification, verify_pdf
from marketplace.api.errors import RequestTooLarge
from marketplace.child_process import (
    ChildDied,
    ChildLimits,
    ChildOverLimit,
    ChildTimedOut,
    run_in_child,
)
from marketplace.errors import DomainError, ServiceUnavailableError

#: Room for the multipart envelope around the file when checking Content-Length.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
#: Seconds a caller refused for lack of a free slot is asked to wait.
BUSY_RETRY_AFTER_SECONDS = 5


class UploadMissing(DomainError):
    """The request has no file in the field ``file`` (400, code ``required``)."""

    default_code = "required"


class VerifyBusy(ServiceUnavailableError):
    """Every verification slot is taken (503, code ``busy``, ``Retry-After``)."""

    default_code = "busy"
    retry_after = BUSY_RETRY_AFTER_SECONDS


def upload_too_large_message() -> str:
    return _("The file is too large; the limit is %(limit)s.") % {
        "limit": filesizeformat(settings.VERIFY_MAX_UPLOAD_BYTES)
    }


def body_too_large(meta: dict[str, Any]) -> bool:
    """Whether ``Content-Length`` alone shows the upload exceeds the limit (read before any
    byte of the body)."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.VERIFY_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES


class UploadLimitHandler(FileUploadHandler):
    """Counts file bytes as they stream in and stops the upload (``StopUpload``, the rest of
    the body is not read) past ``VERIFY_MAX_UPLOAD_BYTES``; ``exceeded`` tells the view."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = int(settings.VERIFY_MAX_UPLOAD_BYTES)
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def install_upload_limit(request: HttpRequest) -> UploadLimitHandler:
    """Put an `UploadLimitHandler` first in `request`'s upload handlers (call before anything
    reads ``request.POST`` or ``request.FILES``)."""
    handler = UploadLimitHandler(request)
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler


@contextlib.contextmanager
def verification_slot() -> Iterator[None]:
    """Hold one of the machine-wide verification slots; raises `VerifyBusy` if none is free."""
    directory = Path(settings.VAR_DIR) / "verify-slots"
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(max(1, int(settings.VERIFY_CONCURRENCY))):
        lock = FileLock(directory / f"slot-{index}.lock", thread_local=False)
        try:
            lock.acquire(blocking=False)
        except Timeout:
            continue
        try:
            yield
        finally:
            lock.release()
        return
    raise VerifyBusy(_("Too many verifications are running. Try again in a few seconds."))


@contextlib.contextmanager
def upload_slot(request: HttpRequest) -> Iterator[UploadLimitHandler]:
    """The steps before an upload is read, in order: refuse by ``Content-Length``
    (`RequestTooLarge`, 413 code ``too_large``, the body unread), hold a `verification_slot`
    (`VerifyBusy`, 503, the body unread) and install the size limit (`install_upload_limit`).
    Yields the `UploadLimitHandler` for `read_upload`; read and check the upload inside the
    block, so that the slot covers both."""
    if body_too_large(request.META):
        raise RequestTooLarge(upload_too_large_message())
    with verification_slot():
        yield install_upload_limit(request)


def read_upload(upload: File[bytes] | None, *, limit: UploadLimitHandler) -> bytes:
    """The bytes of `upload`, the file taken from the body parsed under `limit` (see
    `upload_slot`; None when the request has no usable file).

    Raises `RequestTooLarge` (413, code ``too_large``) when the upload passed
    ``VERIFY_MAX_UPLOAD_BYTES`` while it streamed in or when read, `UploadMissing` (400, code
    ``required``) when there is no file; the size is checked first, because a body stopped
    at the limit also lacks its file.
    """
    if limit.exceeded:
        raise RequestTooLarge(upload_too_large_message())
    if upload is None:
        message = _("Upload the agreement PDF in the field \"file\".")
        raise UploadMissing(message, fields={"file": [message]})
    data = upload.read(settings.VERIFY_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.VERIFY_MAX_UPLOAD_BYTES:
        raise RequestTooLarge(upload_too_large_message())
    return data


_TOO_COMPLEX = gettext_lazy(
    "The file is too complex to check within the limits of this service."
)


def verify_pdf_bounded(data: bytes) -> SealVerification:
    """`contracts.seal.verify_pdf` in a child process within the limits of the module
    docstring (the caller holds a `verification_slot`).

    Raises `DomainError` code ``too_complex`` (400) when the check exceeds its memory or CPU
    limit, `ServiceUnavailableError` code ``verify_timeout`` (503) when it exceeds its wall
    time.
    """
    limits = ChildLimits(
        memory_bytes=int(settings.VERIFY_MEMORY_BYTES),
        cpu_seconds=int(settings.VERIFY_CPU_SECONDS),
        idle_priority=True,
    )
    try:
        return run_in_child(
            verify_pdf, data, timeout=float(settings.VERIFY_TIMEOUT_SECONDS), limits=limits
        )
    except ChildTimedOut as exc:
        raise ServiceUnavailableError(
            _("The check took too long. Try again later."), code="verify_timeout"
        ) from exc
    except (ChildOverLimit, ChildDied) as exc:
        # Over the address-space or CPU limit, or killed (the CPU limit's SIGKILL, or the
        # kernel out of memory).
        raise DomainError(
            _TOO_COMPLEX, code="too_complex", fields={"file": [_TOO_COMPLEX]}
        ) from exc
