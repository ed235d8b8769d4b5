"""PDF rendering in a child process with a hard time limit (`kernel.child_process`).

`render_pdf_with_time_limit` renders through `kernel.pdf.render.render_pdf` in a forked child.
The child inherits the configured Django (settings, templates, fonts already prepared) and
touches no database connection and leaves no temporary file behind (its temporary directory
is a scratch folder the parent removes). When the time limit runs out the child is killed (SIGTERM,
then SIGKILL) and `PdfRenderTimeout` is raised: a runaway layout costs at most `timeout`
seconds of one CPU and never blocks the caller longer. Callers must not hold a database
transaction while they wait.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import Any

from kernel.child_process import ChildDied, ChildTimedOut, run_in_child
from kernel.pdf.render import PdfRenderError, render_pdf


class PdfRenderTimeout(PdfRenderError):
    """The render did not finish within its time limit; the child process was stopped."""


def _render(template_name: str, context: dict[str, Any], scratch: str) -> bytes:
    # This child's temporary files (WeasyPrint's font folder) go to `scratch`, which the parent
    # removes even when the child is killed before it could clean up.
    tempfile.tempdir = scratch
    return render_pdf(template_name=template_name, context=context)


def render_pdf_with_time_limit(
    *, template_name: str, context: Mapping[str, Any], timeout: float
) -> bytes:
    """`kernel.pdf.render.render_pdf` in a child process, stopped after `timeout` seconds.

    Returns the PDF bytes. Raises `PdfRenderTimeout` when the time limit runs out,
    `PdfRenderError` when the render fails (forbidden resource, missing font) or the child dies
    (e.g. killed for memory). `context` need not be picklable: with the fork start method the
    arguments are inherited, not sent; only the PDF bytes are.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="keqiao-pdf-") as scratch:
            return run_in_child(_render, template_name, dict(context), scratch, timeout=timeout)
    except ChildTimedOut:
        raise PdfRenderTimeout(
            f"Rendering {template_name} took longer than {timeout:g} s; it was stopped."
        ) from None
    except ChildDied as exc:
        raise PdfRenderError(f"The PDF render process died ({exc}).") from exc
