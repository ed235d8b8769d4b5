"""PDFs on a machine with only Python: the CJK faces come from PyPI and the repository, never
from the operating system's font directories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from kernel.pdf.render import DEFAULT_FONT_FILES
from tests.contracts.pdf_inspect import KEQIAO_FONT_FAMILIES, pdf_fonts

REPOSITORY = Path(__file__).resolve().parents[2]
RARE_NAME = "北京镕䶮示例科技有限公司"  # 镕 and 䶮 lie outside GB 2312: the regular face draws them

# Runs in a child process whose fontconfig sees no directory at all, so that any glyph that
# does not come from our own @font-face files would be missing. It first proves that fontconfig
# really lists no system font, then renders the sample agreement.
_CHILD = r"""
import ctypes, ctypes.util, sys
import django
django.setup()
fc = ctypes.CDLL(ctypes.util.find_library("fontconfig"))
fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
fc.FcConfigGetFonts.restype = ctypes.POINTER(ctypes.c_int)  # FcFontSet*: first field nfont
fc.FcConfigGetFonts.argtypes = [ctypes.c_void_p, ctypes.c_int]
config = fc.FcInitLoadConfigAndFonts()
font_set = fc.FcConfigGetFonts(config, 0)  # FcSetSystem
print("system-fonts:", font_set[0] if font_set else 0, file=sys.stderr)
if font_set and font_set[0]:
    sys.exit(3)
from kernel.pdf.render import render_pdf
from tests.contracts.samples import agreement_context
context = agreement_context(party_name=sys.argv[2])
open(sys.argv[1], "wb").write(render_pdf(template_name="contracts/pdf/agreement.html",
                                         context=context))
"""


def _render_without_system_fonts(tmp_path: Path, party_name: str) -> bytes:
    fonts_conf = tmp_path / "fonts.conf"
    # A fontconfig configuration with a cache directory and no font directory.
    fonts_conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    target = tmp_path / "agreement.pdf"
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(fonts_conf),
        "FONTCONFIG_PATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "KEQIAO_VAR_DIR": str(tmp_path / "var"),
    }
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(target), party_name],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "system-fonts: 0" in completed.stderr
    return target.read_bytes()


def test_agreement_renders_chinese_with_the_system_font_directories_hidden(tmp_path):
    pdf = _render_without_system_fonts(tmp_path, RARE_NAME)

    fonts = pdf_fonts(pdf)
    assert fonts and all(font.embedded for font in fonts), fonts
    assert {font.family for font in fonts} <= KEQIAO_FONT_FAMILIES, fonts
    mapped = "".join(font.unicode_text for font in fonts)
    for text in ("技术转让", "甲方", "乙方", "签署完成证明", RARE_NAME):
        assert set(text) <= set(mapped), text


def test_bundled_faces_cover_every_character_the_sample_agreement_prints(tmp_path):
    """Coverage of the shipped files themselves: a character no face has would be drawn as a
    blank box even though the text layer maps it."""
    pdf = _render_without_system_fonts(tmp_path, RARE_NAME)
    printed = {ch for font in pdf_fonts(pdf) for ch in font.unicode_text if not ch.isspace()}
    regular = TTFont(DEFAULT_FONT_FILES["KeqiaoCJK-Regular.otf"][0], lazy=True).getBestCmap()
    assert printed
    assert {ch for ch in printed if ord(ch) not in regular} == set()


def test_bold_face_is_simplified_chinese_and_covers_gb2312():
    bold = TTFont(DEFAULT_FONT_FILES["KeqiaoCJK-Bold.otf"][0], lazy=True)
    assert bold["name"].getBestFamilyName() == "Noto Sans CJK SC"
    cmap = bold.getBestCmap()
    # 啊 is the first and 齄 the last character of GB 2312-80 level 2 ordering.
    for ch in "啊齄甲乙方技术合同签署：（）":
        assert ord(ch) in cmap, ch
