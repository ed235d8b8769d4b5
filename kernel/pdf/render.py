"""The shared, locked-down PDF renderer. The only module that imports WeasyPrint; contracts
and roadshow reports render through `render_pdf`.

Rendering rules:

- A Django template is rendered to HTML (autoescape on: user text is escaped, never ``|safe``)
  and laid out by WeasyPrint.
- WeasyPrint fetches resources only through `LockedDownFetcher`, which serves exactly:
  * ``/static/<path>`` — the project's own static assets, found by the staticfiles finders
    (``STATICFILES_DIRS`` and the apps' ``static/`` folders);
  * ``/pdf-fonts/<name>`` — font files on the allow-list ``PDF_FONT_FILES`` (see below);
  * ``data:`` URLs.
  Both path forms are resolved against the virtual origin ``ASSET_BASE_URL``
  (``https://keqiao.invalid/``, a reserved name that never resolves), so a template writes
  ``{% static 'contracts/pdf.css' %}`` as usual. Anything else — ``http(s)://`` to any other
  host, ``file://``, ``ftp://``, a relative path outside those prefixes — raises
  `ForbiddenResourceError` and the whole render fails with `PdfRenderError` (fail loudly:
  a template that asks for more is caught by its tests). Nothing is ever fetched over the
  network and no file outside the allow-list is read.
- Every PDF gets the base stylesheet `BASE_CSS`: an ``@font-face`` family ``"Keqiao CJK"``
  (Noto Sans CJK SC, regular and bold) used for the whole document and the page-margin boxes.
  WeasyPrint embeds the used glyphs only (a subset font, ``BaseFont /ABCDEF+Keqiao-CJK``);
  with libharfbuzz-subset0 installed a render takes ~0.2 s, without it seconds.

Fonts: ``settings.PDF_FONT_FILES`` (optional) maps an asset name to ``(path, family)``.
When ``path`` is a font collection (``.ttc``) the face whose typographic family is ``family``
is extracted once into ``VAR_DIR/pdf-fonts/<name>`` (a collection's first face is Japanese;
Chinese needs the SC face). The default needs nothing from the operating system, so a machine
with only Python renders correct Chinese glyphs:

* regular: Noto Sans SC 2.004 (SIL OFL 1.1) from the PyPI package ``pylopdf-fonts-zh-cn``, a
  static Simplified Chinese face covering GB 18030 (30,890 characters);
* bold: a committed subset of Noto Sans CJK SC Bold 2.004 to GB 2312 and common punctuation
  (``kernel/pdf/fonts/``, built by ``scripts/build_pdf_bold_font.py``; no registry package
  ships a static SC bold). A bold character outside it is drawn from the regular face.

A missing font file fails the render loudly (`PdfRenderError`), never silently falls back to a
system font.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import pylopdf_fonts_zh_cn
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

with warnings.catch_warnings():
    # Every face a PDF uses comes from the @font-face rules of BASE_CSS, so a machine without
    # any system font is expected; WeasyPrint checks for system fonts when it is imported.
    warnings.filterwarnings("ignore", message="No fonts configured in FontConfig")
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

#: Virtual origin that template asset URLs resolve against. ``.invalid`` never resolves (RFC 2606).
ASSET_BASE_URL = "https://keqiao.invalid/"
STATIC_PREFIX = "/static/"
FONT_PREFIX = "/pdf-fonts/"
#: The CSS font-family every PDF uses.
FONT_FAMILY = "Keqiao CJK"

_BUNDLED_FONT_DIR = Path(__file__).resolve().parent / "fonts"
DEFAULT_FONT_FILES: dict[str, tuple[str, str]] = {
    "KeqiaoCJK-Regular.otf": (str(pylopdf_fonts_zh_cn.sans_path()), "Noto Sans SC"),
    "KeqiaoCJK-Bold.otf": (
        str(_BUNDLED_FONT_DIR / "NotoSansCJKsc-Bold-GB2312.otf"),
        "Noto Sans CJK SC",
    ),
}

BASE_CSS = f"""
@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: normal;
  src: url("{FONT_PREFIX}KeqiaoCJK-Regular.otf"); }}
@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: bold;
  src: url("{FONT_PREFIX}KeqiaoCJK-Bold.otf"); }}
@font-face {{ font-family: "{FONT_FAMILY} Fallback"; font-weight: bold;
  src: url("{FONT_PREFIX}KeqiaoCJK-Regular.otf"); }}
html {{ font-family: "{FONT_FAMILY}", "{FONT_FAMILY} Fallback"; }}
@page {{ font-family: "{FONT_FAMILY}", "{FONT_FAMILY} Fallback"; }}
"""


class PdfRenderError(Exception):
    """The PDF could not be rendered: a forbidden or missing resource, or a font problem.
    The message names the offending URL."""


class ForbiddenResourceError(Exception):
    """A template asked for a resource outside the allow-list (raised inside the fetcher)."""


def _font_files() -> dict[str, tuple[str, str]]:
    configured = getattr(settings, "PDF_FONT_FILES", None)
    return dict(configured) if configured else dict(DEFAULT_FONT_FILES)


_font_lock = threading.Lock()


def _extract_face(collection_path: Path, family: str, target: Path) -> None:
    """Write the face of `collection_path` (a .ttc) whose family is `family` to `target`,
    atomically (temp file + rename), so concurrent renders never see half a font."""
    from fontTools.ttLib import TTCollection  # WeasyPrint's own dependency

    collection = TTCollection(str(collection_path), lazy=True)
    try:
        for face in collection.fonts:
            if face["name"].getBestFamilyName() == family:
                break
        else:
            raise PdfRenderError(f"No face {family!r} in font collection {collection_path}.")
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                face.save(out)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    finally:
        collection.close()


def font_path(name: str) -> Path:
    """The file that serves ``/pdf-fonts/<name>``.

    Raises `ForbiddenResourceError` when `name` is not on the allow-list and `PdfRenderError`
    when the configured source file is missing."""
    entry = _font_files().get(name)
    if entry is None:
        raise ForbiddenResourceError(f"Font {name!r} is not on the PDF font allow-list.")
    source, family = Path(entry[0]), entry[1]
    if not source.is_file():
        raise PdfRenderError(
            f"PDF font file {source} is missing (the default fonts come with the PyPI package "
            "pylopdf-fonts-zh-cn and kernel/pdf/fonts/)."
        )
    if source.suffix.lower() not in {".ttc", ".otc"}:
        return source
    target = Path(settings.VAR_DIR) / "pdf-fonts" / name
    with _font_lock:
        if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
            _extract_face(source, family, target)
    return target


def _data_url(url: str) -> URLFetcherResponse:
    """Decode a ``data:[<media type>][;base64],<data>`` URL (RFC 2397)."""
    header, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise ForbiddenResourceError("Malformed data: URL.")
    params = header.split(";")
    is_base64 = params[-1].lower() == "base64"
    if is_base64:
        params = params[:-1]
    media_type = params[0] or "text/plain"
    body = base64.b64decode(unquote(payload)) if is_base64 else unquote_to_bytes(payload)
    headers = {"Content-Type": ";".join([media_type, *params[1:]])}
    return URLFetcherResponse(url, body, headers)


def _static_file(relative: str) -> Path:
    parts = relative.split("/")
    if not relative or any(part in {"", ".", ".."} for part in parts) or "\\" in relative:
        raise ForbiddenResourceError(f"Static asset path {relative!r} is not allowed.")
    found = finders.find(relative)
    if not found or isinstance(found, list):
        raise ForbiddenResourceError(f"Static asset {relative!r} does not exist.")
    return Path(found)


class LockedDownFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves only the project's static assets, allow-listed
    fonts and ``data:`` URLs (see the module docstring). Every other URL raises, and with
    ``fail_on_errors`` WeasyPrint turns that into a fatal error that stops the render."""

    def __init__(self, *, base_url: str = ASSET_BASE_URL) -> None:
        # No protocol is allowed through the parent's opener: everything is served here.
        # WeasyPrint leaves it unannotated; untyped_calls_exclude skips super() calls.
        super().__init__(  # type: ignore[no-untyped-call]
            allowed_protocols=(), allow_redirects=False, fail_on_errors=True
        )
        self.base_url = base_url
        self.fetched: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return _data_url(url)
        if not url.startswith(self.base_url):
            raise ForbiddenResourceError(f"PDF rendering may not fetch {url!r}.")
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.query or parts.fragment:
            raise ForbiddenResourceError(f"PDF rendering may not fetch {url!r}.")
        if path.startswith(STATIC_PREFIX):
            file_path = _static_file(path[len(STATIC_PREFIX) :])
        elif path.startswith(FONT_PREFIX):
            file_path = font_path(path[len(FONT_PREFIX) :])
        else:
            raise ForbiddenResourceError(f"PDF rendering may not fetch {url!r}.")
        self.fetched.append(url)
        media_type = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, file_path.read_bytes(), {"Content-Type": media_type})


def render_html(*, template_name: str, context: Mapping[str, Any]) -> str:
    """The HTML `render_pdf` lays out (Django template, autoescape on)."""
    return render_to_string(template_name, dict(context))


def _remove_font_folder(font_config: Any) -> None:
    """Remove the folder where WeasyPrint wrote this render's @font-face files (our CJK face,
    about 19 MB a render). WeasyPrint removes it only in ``FontConfiguration.__del__``, which
    never runs in a child process that ends with ``os._exit`` (`kernel.child_process`): without
    this every render in a child left its copy in the temporary directory."""
    folder = getattr(font_config, "_folder", None)  # WeasyPrint's own attribute, if any
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def render_pdf(
    *,
    template_name: str,
    context: Mapping[str, Any],
    base_url_assets: str = ASSET_BASE_URL,
) -> bytes:
    """Render the Django template `template_name` with `context` to PDF bytes.

    `base_url_assets` is the virtual origin that asset URLs in the template resolve against
    (``/static/...`` and ``/pdf-fonts/...`` below it are served from disk, nothing else).
    The page size, margins and page counters come from the template's stylesheet
    (``@page { @bottom-center { content: counter(page) } }``).

    Raises `PdfRenderError` when the template asks for any resource outside the allow-list
    (``http(s)://``, ``file://``, unknown paths) or a font is missing. Takes ~0.2 s for a
    ten-page agreement with libharfbuzz-subset0 installed.
    """
    html = render_html(template_name=template_name, context=context)
    fetcher = LockedDownFetcher(base_url=base_url_assets)
    # One font configuration per render: @font-face rules of the base stylesheet and of the
    # template's stylesheets must share it (WeasyPrint keeps it per document).
    font_config = FontConfiguration()
    try:
        base = CSS(
            string=BASE_CSS,
            base_url=base_url_assets,
            url_fetcher=fetcher,
            font_config=font_config,
        )
        document = HTML(string=html, base_url=base_url_assets, url_fetcher=fetcher)
        pdf = document.write_pdf(stylesheets=[base], font_config=font_config)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        raise PdfRenderError(str(cause) if cause else str(exc)) from cause
    finally:
        _remove_font_folder(font_config)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise PdfRenderError("WeasyPrint returned no PDF.")
    return bytes(pdf)
