"""Text widths of the stamp's font, so lines are sized to fit before anything is rendered.

The artwork names DejaVu Sans (it carries every Polish letter and is what WeasyPrint uses here);
its advance widths come from the font files through fontTools. Without the files, an average
width per character keeps the layout working, only less tight.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_FAMILY = "DejaVu Sans"
FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
]
FILES = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
FALLBACK_EM = {False: 0.62, True: 0.70}


@cache
def _advances(bold: bool) -> tuple[dict[int, float], float] | None:
    """Advance width per code point, in em, and the width of a missing glyph."""
    from fontTools.ttLib import TTFont

    for folder in FONT_DIRS:
        path = folder / FILES[bold]
        if path.exists():
            font = TTFont(str(path), lazy=True)
            units = font["head"].unitsPerEm
            metrics = font["hmtx"].metrics
            widths = {
                code: metrics[glyph][0] / units
                for code, glyph in font.getBestCmap().items()
                if glyph in metrics
            }
            return widths, metrics[".notdef"][0] / units
    return None


def text_width_em(text: str, *, bold: bool = False) -> float:
    """The width of `text` set in the stamp font at a size of 1 (multiply by the font size)."""
    table = _advances(bold)
    if table is None:
        return len(text) * FALLBACK_EM[bold]
    widths, missing = table
    return sum(widths.get(ord(char), missing) for char in text)


def char_widths_em(text: str, *, bold: bool = False) -> list[float]:
    return [text_width_em(char, bold=bold) for char in text]
