"""A PDF render leaves no temporary file behind, in the process or in a child process (WeasyPrint
copies the embedded CJK face, about 19 MB, to a temporary folder for every render)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kernel.pdf.process import render_pdf_with_time_limit
from kernel.pdf.render import render_pdf
from tests.contracts.samples import agreement_context


@pytest.fixture
def temporary_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_render_in_this_process_leaves_no_temporary_files(temporary_directory: Path) -> None:
    pdf = render_pdf(template_name="contracts/pdf/agreement.html", context=agreement_context())
    assert pdf.startswith(b"%PDF")
    assert list(temporary_directory.iterdir()) == []


def test_a_render_in_a_child_process_leaves_no_temporary_files(
    temporary_directory: Path,
) -> None:
    pdf = render_pdf_with_time_limit(
        template_name="contracts/pdf/agreement.html", context=agreement_context(), timeout=60
    )
    assert pdf.startswith(b"%PDF")
    assert list(temporary_directory.iterdir()) == []
