"""The shared locked-down PDF renderer (kernel/pdf/render.py): Chinese in an embedded subset CJK
font, page numbers, and no fetching beyond our own static assets and data: URLs."""

from __future__ import annotations

import http.server
import os
import re
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from pyhanko.pdf_utils.reader import PdfFileReader

from kernel.pdf.render import FONT_FAMILY, PdfRenderError, render_html, render_pdf
from tests.contracts.pdf_inspect import KEQIAO_FONT_FAMILIES, pdf_fonts
from tests.contracts.samples import CONTRACT_TYPES, agreement_context

TEMPLATE = "contracts/pdf/agreement.html"


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _RecordingHandler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def test_templates(settings, tmp_path):
    """A template directory of the test's own (first in DIRS); returns its path."""
    directory = tmp_path / "templates"
    (directory / "pdf_test").mkdir(parents=True)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [directory, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return directory


def _cjk_fonts(pdf: bytes) -> list:  # type: ignore[type-arg]
    return [f for f in pdf_fonts(pdf) if FONT_FAMILY.replace(" ", "-") in f.base_font]


@pytest.mark.parametrize(
    "contract_type", CONTRACT_TYPES, ids=[f"{c[0]}-{c[1] or 'general'}" for c in CONTRACT_TYPES]
)
def test_every_contract_type_renders_chinese_in_an_embedded_subset_cjk_font(contract_type):
    pdf = render_pdf(template_name=TEMPLATE, context=agreement_context(contract_type=contract_type))
    assert pdf.startswith(b"%PDF-")
    fonts = _cjk_fonts(pdf)
    assert fonts, [f.base_font for f in pdf_fonts(pdf)]
    for font in fonts:
        assert font.embedded
        assert re.fullmatch(r"[A-Z]{6}\+.+", font.base_font), font.base_font  # subset tag
        # The Simplified Chinese face, not the collection's first (Japanese) face.
        assert font.family in KEQIAO_FONT_FAMILIES
    mapped = "".join(f.unicode_text for f in fonts)
    for text in (*contract_type, "甲方", "乙方", "签署完成证明", "北京时间", "第", "页"):
        assert set(text) <= set(mapped), text


def test_text_is_never_drawn_with_a_fallback_font():
    pdf = render_pdf(template_name=TEMPLATE, context=agreement_context())
    families = {f.family for f in pdf_fonts(pdf) if f.family}
    assert not any("JP" in family or "KR" in family for family in families), families


def test_page_numbers_come_from_css_page_counters():
    css = (Path(__file__).resolve().parents[2] / "static/contracts/pdf.css").read_text()
    assert 'counter(page) " 页 / 共 " counter(pages)' in css
    pdf = render_pdf(template_name=TEMPLATE, context=agreement_context())
    reader = PdfFileReader(BytesIO(pdf), strict=False)
    assert int(reader.root["/Pages"]["/Count"]) >= 3
    mapped = "".join(f.unicode_text for f in _cjk_fonts(pdf))
    assert "共" in mapped  # only the page footer says 共 N 页


def test_user_text_with_html_is_escaped_and_fetches_nothing(loopback_server, tmp_path):
    port = loopback_server.server_address[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    before = os.stat(secret).st_atime_ns
    hostile = (
        f'<img src="http://127.0.0.1:{port}/x">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        f'<img src="file://{secret}">'
        f'<style>@import url(http://127.0.0.1:{port}/css);</style>'
    )
    context = agreement_context(party_name=hostile, clause_text=hostile)
    html = render_html(template_name=TEMPLATE, context=context)
    assert "<img src=" not in html
    assert "&lt;img src=&quot;http://127.0.0.1" in html
    assert "&lt;link rel=&quot;stylesheet&quot; href=&quot;file:///etc/passwd&quot;&gt;" in html

    pdf = render_pdf(template_name=TEMPLATE, context=context)

    assert pdf.startswith(b"%PDF-")
    assert loopback_server.requests == []
    assert os.stat(secret).st_atime_ns == before
    assert b"top secret" not in pdf


@pytest.mark.parametrize(
    "resource",
    [
        '<img src="http://127.0.0.1:{port}/pixel.png">',
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">',
        "<style>@import url(http://127.0.0.1:{port}/import.css);</style>",
        "<style>body {{ background: url(http://127.0.0.1:{port}/bg.png); }}</style>",
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="file:///etc/passwd">',
        '<img src="ftp://127.0.0.1:{port}/x.png">',
        '<img src="../../etc/passwd">',
        '<img src="/media/upload.png">',
        '<img src="/static/../marketplace/settings/__init__.py">',
        '<img src="/static/contracts/does-not-exist.png">',
        "<style>@font-face {{ font-family: X; src: url(/pdf-fonts/not-allowed.ttf); }}"
        " body {{ font-family: X; }}</style>",
    ],
)
def test_template_asking_for_a_forbidden_resource_fails_loudly(
    resource, loopback_server, test_templates
):
    port = loopback_server.server_address[1]
    (test_templates / "pdf_test" / "forbidden.html").write_text(
        "<!DOCTYPE html><html><head>"
        + resource.format(port=port)
        + "</head><body><p>测试</p></body></html>"
    )
    with pytest.raises(PdfRenderError):
        render_pdf(template_name="pdf_test/forbidden.html", context={})
    assert loopback_server.requests == []


def test_own_static_assets_and_data_urls_are_allowed(test_templates):
    template = test_templates / "pdf_test" / "allowed.html"
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    template.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/contracts/pdf.css">'
        f'</head><body><p>合同</p><img src="{pixel}"></body></html>'
    )
    pdf = render_pdf(template_name="pdf_test/allowed.html", context={})
    assert pdf.startswith(b"%PDF-")
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf


def test_missing_font_file_fails_the_render(settings, tmp_path):
    settings.PDF_FONT_FILES = {
        "KeqiaoCJK-Regular.otf": (str(tmp_path / "missing.ttc"), "Noto Sans CJK SC"),
        "KeqiaoCJK-Bold.otf": (str(tmp_path / "missing.ttc"), "Noto Sans CJK SC"),
    }
    with pytest.raises(PdfRenderError, match="is missing"):
        render_pdf(template_name=TEMPLATE, context=agreement_context())


def test_agreement_template_references_only_static_assets():
    source = (Path(__file__).resolve().parents[2] / "templates" / TEMPLATE).read_text()
    source = re.sub(r"{% comment %}.*?{% endcomment %}", "", source, flags=re.S)
    assert not re.search(r"\|\s*safe\b", source) and "autoescape off" not in source
    urls = re.findall(r'(?:href|src)="([^"]+)"', source)
    assert urls and all(u.startswith("/static/") for u in urls)
    assert render_to_string(TEMPLATE, agreement_context()).count("第1条") == 1
    assert "10:15:30" in render_to_string(TEMPLATE, agreement_context())  # 02:15:30 UTC, Beijing
