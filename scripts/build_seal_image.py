"""Rebuild static/contracts/seal.png, the visible image of the platform's e-seal printed on the
certificate page of every sealed agreement PDF.

The image only shows that the platform sealed the file; what proves it is the PAdES digital
signature in the PDF (`contracts/seal.py`), which anyone can check on the verification page.
It is drawn here, not copied from anywhere: a red ring, a star, the platform's name on the
upper arc and 电子签章 (e-seal) below the star, in the committed bold face of the PDF font
(kernel/pdf/fonts, SIL OFL 1.1), with Pillow (installed with WeasyPrint).

Run by hand when the design should change: ``.venv/bin/python scripts/build_seal_image.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPOSITORY = Path(__file__).resolve().parent.parent
FONT = REPOSITORY / "kernel/pdf/fonts/NotoSansCJKsc-Bold-GB2312.otf"
TARGET = REPOSITORY / "static/contracts/seal.png"

SIZE = 600  # pixels; printed 38 mm wide, about 400 dpi
RED = (200, 16, 46, 255)
ARC_TEXT = "科桥技术转移服务平台"
CENTRE_TEXT = "电子签章"
ARC_DEGREES = 240  # the arc the name is spread over, centred on the top


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float) -> None:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.382
        angle = math.radians(-90 + index * 36)
        points.append((centre[0] + r * math.cos(angle), centre[1] + r * math.sin(angle)))
    draw.polygon(points, fill=RED)


def _arc_text(image: Image.Image, text: str, font: ImageFont.FreeTypeFont, radius: float) -> None:
    """Each character upright along the circle of `radius`, its top towards the rim."""
    centre = SIZE / 2
    step = ARC_DEGREES / (len(text) - 1)
    for index, character in enumerate(text):
        degrees = -90 - ARC_DEGREES / 2 + index * step  # 0 degrees: to the right
        tile = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((80, 80), character, font=font, fill=RED, anchor="mm")
        tile = tile.rotate(-(degrees + 90), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(math.radians(degrees)) - 80
        y = centre + radius * math.sin(math.radians(degrees)) - 80
        image.alpha_composite(tile, (round(x), round(y)))


def build() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, SIZE - 12, SIZE - 12), outline=RED, width=18)
    _star(draw, (SIZE / 2, SIZE / 2 - 10), 78)
    _arc_text(image, ARC_TEXT, ImageFont.truetype(str(FONT), 64), radius=SIZE / 2 - 82)
    ImageDraw.Draw(image).text(
        (SIZE / 2, SIZE / 2 + 128), CENTRE_TEXT, font=ImageFont.truetype(str(FONT), 58),
        fill=RED, anchor="mm",
    )
    return image


if __name__ == "__main__":
    build().save(TARGET, optimize=True)
    print(f"wrote {TARGET.relative_to(REPOSITORY)}")
