"""Reading fonts and text mappings out of a PDF for the tests (pyHanko's reader and fontTools,
both real parsers; no extra library)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.reader import PdfFileReader

from kernel.pdf.render import DEFAULT_FONT_FILES

#: The typographic families of the faces Keqiao's PDFs embed (both Simplified Chinese).
KEQIAO_FONT_FAMILIES = frozenset(family for _path, family in DEFAULT_FONT_FILES.values())


@dataclass
class PdfFont:
    base_font: str
    subtype: str
    embedded: bool
    family: str  # family name inside the embedded font program ("" if not readable)
    unicode_text: str  # every character the font's ToUnicode CMap maps to


def _tounicode_chars(cmap: bytes) -> str:
    """Characters of the ``bfchar`` entries (the form WeasyPrint writes) and ``bfrange``s."""
    chars = []
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for _code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            try:
                chars.append(bytes.fromhex(target.decode()).decode("utf-16-be"))
            except (UnicodeDecodeError, ValueError):
                continue
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section
        ):
            first = int(start, 16)
            chars.extend(chr(first + i) for i in range(int(high, 16) - int(low, 16) + 1))
    return "".join(chars)


def _font_dicts(resources, depth=0):
    """The /Font dictionaries of `resources` and of the form XObjects it draws (the sealed
    PDF's appended signing record pages draw their content as form XObjects)."""
    resources = resources.get_object()
    if resources.get("/Font") is not None:
        yield resources["/Font"]
    xobjects = resources.get("/XObject")
    if xobjects is None or depth > 3:
        return
    xobjects = xobjects.get_object()
    for key in xobjects:
        xobject = xobjects[key].get_object()
        if str(xobject.get("/Subtype")) == "/Form" and "/Resources" in xobject:
            yield from _font_dicts(xobject["/Resources"], depth + 1)


def pdf_fonts(data: bytes) -> list[PdfFont]:
    reader = PdfFileReader(BytesIO(data), strict=False)
    found: dict[tuple[str, str], PdfFont] = {}
    pages = (ref.get_object() for ref in reader.root["/Pages"]["/Kids"])
    for fonts in (f for page in pages for f in _font_dicts(page["/Resources"])):
        fonts = fonts.get_object()
        for key in fonts:
            font = fonts[key].get_object()
            base = str(font["/BaseFont"]).lstrip("/")
            text = ""
            if "/ToUnicode" in font:
                text = _tounicode_chars(font["/ToUnicode"].get_object().data)
            # Two subsets of one face may share a name (a sealed PDF's preview and record).
            if (base, text) in found:
                continue
            descriptor_owner = font["/DescendantFonts"][0] if "/DescendantFonts" in font else font
            descriptor = descriptor_owner.get_object()["/FontDescriptor"].get_object()
            program = None
            for name in ("/FontFile", "/FontFile2", "/FontFile3"):
                if name in descriptor:
                    program = descriptor[name].get_object().data
            family = ""
            if program is not None:
                try:
                    family = TTFont(BytesIO(program))["name"].getBestFamilyName() or ""
                except Exception:
                    family = ""
            found[base, text] = PdfFont(
                base_font=base,
                subtype=str(font["/Subtype"]),
                embedded=program is not None,
                family=family,
                unicode_text=text,
            )
    return list(found.values())
