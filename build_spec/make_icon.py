#!/usr/bin/env python3
"""Draw the program icon with Pillow: ``resources/icons/stdaward.png`` (256 px) and ``stdaward.ico``.

    python build_spec/make_icon.py

A red rounded square (the colour of an official seal) holding a gold award medal on two ribbons;
no text, so it reads at 16 px. The ``.ico`` carries 16, 24, 32, 48, 64, 128 and 256 px images for
Explorer, the taskbar and the installer. Run again only to change the design; both files are committed.
"""
from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
RED, DARK_RED, GOLD, LIGHT_GOLD, WHITE = "#c8102e", "#8e0b20", "#e8b422", "#ffe08a", "#ffffff"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def draw(size: int = 1024) -> Image.Image:
    """The icon at ``size`` px (drawn large, scaled down with antialiasing)."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 256
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=44 * s, fill=RED)
    # ribbons
    d.polygon([(92 * s, 140 * s), (124 * s, 150 * s), (100 * s, 226 * s), (84 * s, 204 * s), (62 * s, 210 * s)],
              fill=WHITE)
    d.polygon([(164 * s, 140 * s), (132 * s, 150 * s), (156 * s, 226 * s), (172 * s, 204 * s), (194 * s, 210 * s)],
              fill=WHITE)
    # medal: gold disc, lighter ring, a five-pointed star
    cx, cy, r = 128 * s, 104 * s, 70 * s
    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=GOLD, outline=DARK_RED, width=int(6 * s))
    r2 = 52 * s
    d.ellipse([cx - r2, cy - r2, cx + r2, cy + r2], outline=LIGHT_GOLD, width=int(5 * s))
    pts = []
    for i in range(10):
        rad = (40 if i % 2 == 0 else 16) * s
        ang = math.pi / 2 + i * math.pi / 5
        pts.append((cx + rad * math.cos(ang), cy - rad * math.sin(ang)))
    d.polygon(pts, fill=RED)
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    png = big.resize((256, 256), Image.LANCZOS)
    png.save(OUT / "stdaward.png", optimize=True)
    png.save(OUT / "stdaward.ico", sizes=ICO_SIZES)
    print(OUT / "stdaward.png")
    print(OUT / "stdaward.ico")


if __name__ == "__main__":
    main()
