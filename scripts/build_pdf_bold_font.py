"""Rebuild kernel/pdf/fonts/NotoSansCJKsc-Bold-GB2312.otf, the committed bold face of the
PDF font (the regular face comes from the PyPI package pylopdf-fonts-zh-cn, which ships no bold).

Source: the Simplified Chinese face of Noto Sans CJK Bold 2.004 (SIL OFL 1.1), as Debian's
fonts-noto-cjk 1:20220127 installs it in /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc.
Kept: every character of GB 2312-80 (the 7,445 graphic characters the Python codec decodes),
ASCII and Latin-1, general punctuation, CJK symbols and punctuation, enclosed numerals and the
full-width forms, with every OpenType layout feature. Bold is used for headings and labels; a
character outside the subset falls back to the regular face, which covers GB 18030.

Run once by hand when the subset should change (needs fonts-noto-cjk; never run at build or run
time): ``.venv/bin/python scripts/build_pdf_bold_font.py [path/to/NotoSansCJK-Bold.ttc]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
REPOSITORY = Path(__file__).resolve().parent.parent
TARGET = REPOSITORY / "kernel/pdf/fonts/NotoSansCJKsc-Bold-GB2312.otf"
FAMILY = "Noto Sans CJK SC"


def gb2312_characters() -> set[int]:
    """Code points of every GB 2312-80 graphic character (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    found: set[int] = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([row, cell]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def kept_code_points() -> set[int]:
    ranges = [(0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2460, 0x24A0), (0x3000, 0x3040),
              (0xFF00, 0xFFF0)]
    kept = gb2312_characters() | {0x20AC, 0x2116, 0x2122}
    for low, high in ranges:
        kept.update(range(low, high))
    return kept


def main(source: Path) -> None:
    collection = TTCollection(str(source), lazy=True)
    face = next(f for f in collection.fonts if f["name"].getBestFamilyName() == FAMILY)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=kept_code_points())
    subsetter.subset(face)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    face.save(str(TARGET))
    print(f"{TARGET}: {TARGET.stat().st_size:,} bytes, {len(face.getBestCmap()):,} characters")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
