"""PDF rendering in a child process with a hard time limit; the only module that imports
Pebble (a small, well-kept wrapper of `multiprocessing` that runs one function in its own
process, returns its result or exception, and stops the process when the time limit runs out).

`render_pdf_with_time_limit` renders through `marketplace.pdf.render_pdf` in a forked child.
The child inherits the configured Django (settings, templates, fonts already prepared) and
touches no database connection; it exits with ``os._exit`` so it never closes the parent's
connections. When the time limit runs out the child is killed (SIGTERM, then SIGKILL) and
`PdfRenderTimeout` is raised: a runaway layout costs at most `timeout` seconds of one CPU and
never blocks the caller longer. Callers must not hold a database transaction while they wait.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import Any

from pebble import ProcessExpired, concurrent

from marketplace.pdf import PdfRenderError, render_pdf


class PdfRenderTimeout(PdfRenderError):
    """The render did not finish within its time limit; the child process was stopped."""


def _render(template_name: str, context: dict[str, Any]) -> bytes:
    return render_pdf(template_name=template_name, context=context)


def render_pdf_with_time_limit(
    *, template_name: str, context: Mapping[str, Any], timeout: float
) -> bytes:
    """`marketplace.pdf.render_pdf` in a child process, stopped after `timeout` seconds.

    Returns the PDF bytes. Raises `PdfRenderTimeout` when the time limit runs out,
    `PdfRenderError` when the render fails (forbidden resource, missing font) or the child dies
    (e.g. killed for memory). `context` must be picklable only for the result path: with the
    fork start method the arguments are inherited, not sent.
    """
    run = concurrent.process(timeout=timeout, mp_context=multiprocessing.get_context("fork"))(
        _render
    )
    future = run(template_name, dict(context))
    try:
        return future.result()
    except FutureTimeoutError:
        raise PdfRenderTimeout(
            f"Rendering {template_name} took longer than {timeout:g} s; it was stopped."
        ) from None
    except ProcessExpired as exc:
        raise PdfRenderError(f"The PDF render process died ({exc}).") from exc
