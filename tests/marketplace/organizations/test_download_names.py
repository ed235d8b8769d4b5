"""Private files are downloaded under a safe stem and the suffix of their checked type."""

from __future__ import annotations

import pytest

from marketplace.organizations.storage import download_name


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("licence.hta", "application/pdf", "licence.pdf"),
        ("营业执照.jpeg", "image/jpeg", "营业执照.jpg"),
        ("scan.pdf.exe", "image/png", "scan_pdf.png"),
        ("../..\u202egpj.exe", "application/pdf", "gpj.pdf"),
        ("...", "application/pdf", "evidence.pdf"),
        ("a\u0007b", "text/html", "a_b.bin"),
    ],
)
def test_download_name(original, content_type, expected):
    assert download_name(original, content_type) == expected
