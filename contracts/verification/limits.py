"""Bounds on the public verification of uploaded PDFs, so that hostile uploads cannot tie up
the site:

- length: the body must declare its length; a request without ``Content-Length`` (e.g.
  ``Transfer-Encoding: chunked``, which Django would read as empty) is refused unread
  (`LengthRequired`, 411, code ``length_required``);
- size: `body_too_large` refuses by ``Content-Length`` before the body is read, and
  `UploadLimitHandler` (the first upload handler) stops reading as soon as more than
  ``VERIFY_MAX_UPLOAD_BYTES`` of file data has streamed in; `start_upload` and `read_upload`
  take an upload through these steps for the API and the web page alike;
- read time: reading the body must end within ``VERIFY_UPLOAD_READ_SECONDS`` of
  `start_upload` (`UploadLimitHandler` stops reading past it: `UploadTimedOut`, 408, code
  ``upload_timeout``). Django only gets control back between reads of the body: the deadline
  is checked when parsing starts, at each file part and each `READ_CHUNK_BYTES` of file data,
  and when parsing ends. A read that blocks in the socket (a client sending nothing, or less
  than `READ_CHUNK_BYTES` before gunicorn's worker timeout) is not ended by the deadline but
  by gunicorn's timeout (60 s in ``gunicorn.conf.py``), which kills the worker. Only a reverse
  proxy that buffers the whole body before passing it on (nginx's default
  ``proxy_request_buffering on``; docs/operations.md) keeps slow clients off the workers;
- work: `verify_pdf_bounded` runs the seal check (`contracts.seal.verify_pdf`) in a child
  process (`kernel.child_process`) at the lowest CPU priority (SCHED_IDLE on Linux: only
  CPU time that page views leave idle), with an address-space limit of the worker's own size plus
  ``VERIFY_MEMORY_BYTES``, a CPU-time limit of ``VERIFY_CPU_SECONDS`` and a wall-time limit
  of ``VERIFY_TIMEOUT_SECONDS``;
- concurrency: at most ``VERIFY_CONCURRENCY`` seal checks run at once on the machine, counted
  with file locks under ``VAR_DIR/verify-slots`` (held by the worker process, released by the
  kernel even if it dies). A slot (`verification_slot`) covers the seal check only, never the
  reading of the body, so a slow upload cannot keep other checks waiting. `start_upload`
  refuses an upload unread when no slot is free at that moment, and `verify_pdf_bounded`
  takes a slot for the check itself; with every slot taken either answers at once
  (`VerifyBusy`, 503 with ``Retry-After``) rather than queueing, so waiting uploads never hold
  workers that page views need.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from filelock import FileLock, Timeout
from rest_framework import exceptions, status

from kernel.api.errors import RequestTooLarge
from kernel.child_process import (
    ChildDied,
    ChildLimits,
    ChildOverLimit,
    ChildTimedOut,
    run_in_child,
)
from kernel.errors import DomainError, ServiceUnavailableError

if TYPE_CHECKING:
    # pyHanko (about 0.3 s to import) loads with the first seal check, not with the URLs.
    from contracts.seal import SealVerification

#: Room for the multipart envelope around the file when checking Content-Length.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
#: Seconds a caller refused for lack of a free slot is asked to wait.
BUSY_RETRY_AFTER_SECONDS = 5
#: Bytes of file data between two checks of the read deadline (Django's default is 64 KiB; a
#: smaller chunk lets the deadline end a slow upload sooner, at no measurable cost).
READ_CHUNK_BYTES = 8 * 1024


class UploadMissing(DomainError):
    """The request has no file in the field ``file`` (400, code ``required``)."""

    default_code = "required"


class VerifyBusy(ServiceUnavailableError):
    """Every verification slot is taken (503, code ``busy``, ``Retry-After``)."""

    default_code = "busy"
    retry_after = BUSY_RETRY_AFTER_SECONDS


class UploadTimedOut(exceptions.APIException):
    """The body was not read within ``VERIFY_UPLOAD_READ_SECONDS`` (408, code
    ``upload_timeout``)."""

    status_code = status.HTTP_408_REQUEST_TIMEOUT
    default_code = "upload_timeout"

    def __init__(self) -> None:
        super().__init__(
            _("The upload took too long; send the file within %(seconds)s seconds.")
            % {"seconds": f"{float(settings.VERIFY_UPLOAD_READ_SECONDS):g}"}
        )


class LengthRequired(exceptions.APIException):
    """The request does not declare its length with ``Content-Length`` (411, code
    ``length_required``; RFC 9110 §15.5.12)."""

    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_code = "length_required"

    def __init__(self) -> None:
        super().__init__(
            _("Send the file with a Content-Length header; chunked uploads are not accepted.")
        )


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
    limit: int = settings.VERIFY_MAX_UPLOAD_BYTES
    return length > limit + MULTIPART_OVERHEAD_BYTES


def length_missing(meta: dict[str, Any]) -> bool:
    """Whether the request fails to declare its body's length: no ``Content-Length`` (or not
    a number), or a ``Transfer-Encoding`` such as ``chunked``. Django reads a body by its
    ``Content-Length`` only, so such a body would be read as empty."""
    if meta.get("HTTP_TRANSFER_ENCODING", "").strip().lower() not in ("", "identity"):
        return True
    try:
        return int(meta.get("CONTENT_LENGTH") or "") < 0
    except ValueError:
        return True


class UploadLimitHandler(FileUploadHandler):
    """The size and read-time limits of one upload, as the first upload handler.

    Counts file bytes as they stream in and stops the upload (``StopUpload``, the rest of the
    body is not read) past ``VERIFY_MAX_UPLOAD_BYTES`` (``exceeded``) or once
    ``VERIFY_UPLOAD_READ_SECONDS`` have passed since the handler was made (``timed_out``).
    The deadline is checked when parsing starts (past it, nothing is read), at each file
    part, at each chunk of `READ_CHUNK_BYTES` and when parsing ends; see the module docstring
    for what it cannot cover. The view reads the two flags (`read_upload`)."""

    chunk_size = READ_CHUNK_BYTES

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = int(settings.VERIFY_MAX_UPLOAD_BYTES)
        self.deadline = time.monotonic() + float(settings.VERIFY_UPLOAD_READ_SECONDS)
        self.received = 0
        self.exceeded = False
        self.timed_out = False

    def _past_deadline(self) -> bool:
        if time.monotonic() >= self.deadline:
            self.timed_out = True
        return self.timed_out

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes | str,  # bytes from Django's parser (the stubs say str)
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        # StopUpload is not caught here by Django's parser: past the deadline, answer "no
        # fields, no files" instead, with the body unread.
        if self._past_deadline():
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self._past_deadline():  # the part's headers, or fields before it, came slowly
            raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        if self._past_deadline():
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def upload_complete(self) -> None:
        # The body is read by now; a last part (fields after the file) may have come slowly.
        self._past_deadline()


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


def ensure_slot_free() -> None:
    """Raise `VerifyBusy` (503) if no verification slot is free at this moment; the slot is
    not kept (the check takes one again, see `verify_pdf_bounded`)."""
    with verification_slot():
        pass


def start_upload(request: HttpRequest) -> UploadLimitHandler:
    """The steps before an upload is read, in order, each with the body unread: refuse a body
    without a declared length (`LengthRequired`, 411, code ``length_required``), refuse by
    ``Content-Length`` (`RequestTooLarge`, 413, code ``too_large``), refuse when no
    verification slot is free right now (`VerifyBusy`, 503, code ``busy``), then install the
    size and read-time limits (`install_upload_limit`). Returns the `UploadLimitHandler` for
    `read_upload`. No slot is held while the body is read."""
    if length_missing(request.META):
        raise LengthRequired()
    if body_too_large(request.META):
        raise RequestTooLarge(upload_too_large_message())
    ensure_slot_free()
    return install_upload_limit(request)


def read_upload(upload: File[bytes] | None, *, limit: UploadLimitHandler) -> bytes:
    """The bytes of `upload`, the file taken from the body parsed under `limit` (see
    `start_upload`; None when the request has no usable file).

    Raises `UploadTimedOut` (408, code ``upload_timeout``) when reading the body passed
    ``VERIFY_UPLOAD_READ_SECONDS``, `RequestTooLarge` (413, code ``too_large``) when the upload
    passed ``VERIFY_MAX_UPLOAD_BYTES`` while it streamed in or when read, `UploadMissing` (400,
    code ``required``) when there is no file; the limits are checked first, because a body
    stopped at a limit also lacks its file.
    """
    if limit.timed_out:
        raise UploadTimedOut()
    if limit.exceeded:
        raise RequestTooLarge(upload_too_large_message())
    if upload is None:
        message = _("Upload the agreement PDF in the field \"file\".")
        raise UploadMissing(message, fields={"file": [message]})
    data: bytes = upload.read(settings.VERIFY_MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.VERIFY_MAX_UPLOAD_BYTES:
        raise RequestTooLarge(upload_too_large_message())
    return data


_TOO_COMPLEX = gettext_lazy(
    "The file is too complex to check within the limits of this service."
)


def verify_pdf_bounded(data: bytes) -> SealVerification:
    """`contracts.seal.verify_pdf` in a child process within the limits of the module
    docstring, holding a `verification_slot` for the check only.

    Raises `VerifyBusy` (503, code ``busy``) when no slot is free, `DomainError` code
    ``too_complex`` (400) when the check exceeds its memory or CPU limit,
    `ServiceUnavailableError` code ``verify_timeout`` (503) when it exceeds its wall time.
    """
    from contracts.seal import verify_pdf  # imports pyHanko: only when a check runs

    limits = ChildLimits(
        memory_bytes=int(settings.VERIFY_MEMORY_BYTES),
        cpu_seconds=int(settings.VERIFY_CPU_SECONDS),
        idle_priority=True,
    )
    try:
        with verification_slot():
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
