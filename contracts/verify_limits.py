"""Bounds on the public verification of uploaded PDFs, so that hostile uploads cannot tie up
the site:

- size: `body_too_large` refuses by ``Content-Length`` before the body is read, and
  `UploadLimitHandler` (the first upload handler) stops reading as soon as more than
  ``VERIFY_MAX_UPLOAD_BYTES`` of file data has streamed in;
- work: `verify_pdf_bounded` runs the seal check (`contracts.seal.verify_pdf`) in a child
  process (pebble) at the lowest CPU priority (SCHED_IDLE on Linux: only CPU time that page
  views leave idle), with an address-space limit of the worker's own size plus
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
import faulthandler
import multiprocessing
import os
import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from filelock import FileLock, Timeout
from pebble import ProcessExpired, concurrent

from contracts.seal import SealVerification, verify_pdf
from marketplace.errors import DomainError, ServiceUnavailableError

#: Room for the multipart envelope around the file when checking Content-Length.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
#: Seconds a caller refused for lack of a free slot is asked to wait.
BUSY_RETRY_AFTER_SECONDS = 5
#: Niceness of the child process (the lowest priority), and on Linux the SCHED_IDLE policy:
#: it runs only on CPU time that page views in the workers leave idle.
CHILD_NICENESS = 19


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


def _address_space_in_use() -> int:
    """Bytes of virtual memory this process maps now (Linux ``/proc``; 0 if unknown)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _limited_verify(data: bytes, memory_limit: int, cpu_seconds: int) -> SealVerification:
    """Runs in the child process: lower priority, set the limits, check the seal."""
    faulthandler.disable()  # a child ended by its limits is expected, not a crash to dump
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # Linux only
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    if memory_limit:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    # Soft limit: SIGXCPU ends the process; the hard limit one second later is SIGKILL.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    return verify_pdf(data)


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
    in_use = _address_space_in_use()
    memory_limit = in_use + int(settings.VERIFY_MEMORY_BYTES) if in_use else 0
    # fork: the child starts with pyHanko loaded and this process's settings; it touches no
    # database connection and ends with os._exit.
    run = concurrent.process(
        timeout=float(settings.VERIFY_TIMEOUT_SECONDS),
        mp_context=multiprocessing.get_context("fork"),
    )(_limited_verify)
    future = run(data, memory_limit, int(settings.VERIFY_CPU_SECONDS))
    try:
        return future.result()
    except TimeoutError as exc:
        raise ServiceUnavailableError(
            _("The check took too long. Try again later."), code="verify_timeout"
        ) from exc
    except (MemoryError, ProcessExpired) as exc:
        # MemoryError: over the address-space limit; ProcessExpired: ended by SIGXCPU or
        # SIGKILL (CPU limit, or the kernel out of memory).
        raise DomainError(
            _TOO_COMPLEX, code="too_complex", fields={"file": [_TOO_COMPLEX]}
        ) from exc
