"""The stamp's artwork as SVG in millimetres: the one drawing the PDF and PNG are made from.

The SVG's user unit is the millimetre (`width="58mm"` with `viewBox="0 0 58 22"`), so the same
numbers mean the same size on screen, in WeasyPrint and at the stamp maker. Text is sized to fit
from the font's own advance widths (stamps.fonts). On a round stamp the first line runs along the
top of the ring and the second along the bottom (electronic: both on top, the code at the bottom),
each letter placed and turned on the circle, so it renders the same everywhere (WeasyPrint does
not follow SVG's textPath).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno

from stamps.fonts import FONT_FAMILY, char_widths_em, text_width_em

LINE_HEIGHT = 1.22  # of the font size
CAP_CENTRE = 0.36  # half the cap height of DejaVu Sans, in em: centres capitals on a line
QR_QUIET_MODULES = 2  # inside the stamp's border; decoders read it fine with the border beyond
TOP_ARC_DEGREES = 200
BOTTOM_ARC_DEGREES = 120


@dataclass(frozen=True)
class StampSpec:
    shape: str  # "rectangular" or "round" (StampDesign.Shape)
    width_mm: float
    height_mm: float
    color: str
    lines: tuple[str, ...]
    verify_url: str | None = None  # electronic stamps: what the QR code holds
    code: str | None = None  # electronic stamps: printed for people without a phone


@dataclass(frozen=True)
class Artwork:
    svg: str
    smallest_text_mm: float | None  # the smallest font size used; None without text


def render_svg(spec: StampSpec) -> Artwork:
    drawing = _Drawing(spec.color)
    if spec.shape == "round":
        _round(drawing, spec)
    else:
        _rectangular(drawing, spec)
    width, height = _num(spec.width_mm), _num(spec.height_mm)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
        f'viewBox="0 0 {width} {height}">'
        f'<g fill="{spec.color}" font-family="{FONT_FAMILY}, sans-serif">'
        + "".join(drawing.parts)
        + "</g></svg>"
    )
    return Artwork(svg=svg, smallest_text_mm=drawing.smallest_text)


class _Drawing:
    def __init__(self, color: str) -> None:
        self.color = color
        self.parts: list[str] = []
        self.smallest_text: float | None = None

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, content: str, x: float, y: float, size: float, *, bold: bool, rotate=None):
        transform = f' transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        self.add(
            f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}"{weight} '
            f'text-anchor="middle"{transform}>{escape(content)}</text>'
        )
        self.smallest_text = size if self.smallest_text is None else min(self.smallest_text, size)

    def ring(self, cx: float, cy: float, r: float, stroke: float) -> None:
        self.add(
            f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{_num(r)}" fill="none" '
            f'stroke="{self.color}" stroke-width="{_num(stroke)}"/>'
        )


def _rectangular(drawing: _Drawing, spec: StampSpec) -> None:
    w, h = spec.width_mm, spec.height_mm
    stroke = _clamp(min(w, h) * 0.03, 0.3, 0.8)
    drawing.add(
        f'<rect x="{_num(stroke / 2)}" y="{_num(stroke / 2)}" width="{_num(w - stroke)}" '
        f'height="{_num(h - stroke)}" rx="{_num(min(h * 0.08, 1.5))}" fill="none" '
        f'stroke="{spec.color}" stroke-width="{_num(stroke)}"/>'
    )
    pad = stroke + min(w, h) * 0.06
    left, top, right, bottom = pad, pad, w - pad, h - pad
    if spec.verify_url:
        code_size = _clamp((bottom - top) * 0.1, 0.9, 2.2)
        side = bottom - top - code_size * LINE_HEIGHT
        drawing.add(_qr_path(spec.verify_url, left, top, side))
        if spec.code:
            code_size = min(code_size, side / text_width_em(spec.code, bold=True))
            drawing.text(spec.code, left + side / 2, bottom - code_size * 0.1, code_size, bold=True)
        left += side + pad * 0.6
    _text_block(drawing, spec.lines, left, top, right, bottom)


def _round(drawing: _Drawing, spec: StampSpec) -> None:
    diameter = spec.width_mm
    c = diameter / 2
    stroke = _clamp(diameter * 0.025, 0.3, 0.8)
    outer = c - stroke / 2
    inner = c * 0.64
    drawing.ring(c, c, outer, stroke)
    drawing.ring(c, c, inner, stroke * 0.6)
    ring_in, ring_out = inner + stroke * 0.3, outer - stroke / 2
    middle, ring_width = (ring_in + ring_out) / 2, ring_out - ring_in

    lines = list(spec.lines)
    if spec.verify_url:  # the code takes the bottom, so the top carries the first two lines
        top_text, bottom_text = " ".join(lines[:2]), spec.code or ""
    else:
        top_text, bottom_text = (lines + ["", ""])[0], (lines + ["", ""])[1]
    top_size = _arc_text(drawing, top_text, c, middle, ring_width, TOP_ARC_DEGREES, top=True)
    _arc_text(
        drawing,
        bottom_text,
        c,
        middle,
        ring_width,
        BOTTOM_ARC_DEGREES,
        top=False,
        # A short code would dwarf a long top line: keep it no larger than the top's text.
        largest=top_size * 1.5 if top_size and spec.verify_url else None,
    )
    for side in (-1, 1):  # dots between the two arcs
        angle = math.radians(side * (TOP_ARC_DEGREES / 2 + 180 - BOTTOM_ARC_DEGREES / 2) / 2)
        x, y = c + middle * math.sin(angle), c - middle * math.cos(angle)
        drawing.add(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(ring_width * 0.1)}"/>')

    if spec.verify_url:
        side = (inner - stroke) * math.sqrt(2)
        drawing.add(_qr_path(spec.verify_url, c - side / 2, c - side / 2, side))
    else:
        half_w, half_h = inner * 0.8, inner * 0.62
        _text_block(drawing, lines[2:], c - half_w, c - half_h, c + half_w, c + half_h)


def _text_block(
    drawing: _Drawing, lines: Sequence[str], left: float, top: float, right: float, bottom: float
) -> None:
    """Lines centred in the box, first in bold; each as large as the box's height allows, and
    smaller where a long line would not fit its width."""
    if not lines or right <= left or bottom <= top:
        return
    width, height = right - left, bottom - top
    base = height / (len(lines) * LINE_HEIGHT)
    sizes = [
        min(base, width / max(text_width_em(line, bold=index == 0), 0.01))
        for index, line in enumerate(lines)
    ]
    y = top + (height - sum(size * LINE_HEIGHT for size in sizes)) / 2
    for index, (line, size) in enumerate(zip(lines, sizes, strict=True)):
        baseline = y + size * (LINE_HEIGHT / 2 + CAP_CENTRE)
        drawing.text(line, (left + right) / 2, baseline, size, bold=index == 0)
        y += size * LINE_HEIGHT


def _arc_text(
    drawing: _Drawing,
    text: str,
    c: float,
    middle: float,
    ring_width: float,
    degrees: float,
    *,
    top: bool,
    largest: float | None = None,
) -> float | None:
    """Text along the ring, centred on its top (reading clockwise, bold) or its bottom (upright).
    Returns the font size used."""
    if not text:
        return None
    bold = top
    size = min(ring_width * 0.6, largest or ring_width)
    radius = middle - CAP_CENTRE * size if top else middle + CAP_CENTRE * size
    size = min(size, radius * math.radians(degrees) / text_width_em(text, bold=bold))
    radius = middle - CAP_CENTRE * size if top else middle + CAP_CENTRE * size
    widths = [width * size for width in char_widths_em(text, bold=bold)]
    position = -sum(widths) / 2
    for char, width in zip(text, widths, strict=True):
        angle = (position + width / 2) / radius
        position += width
        if char.isspace():
            continue
        if top:
            x, y, turn = c + radius * math.sin(angle), c - radius * math.cos(angle), angle
        else:
            x, y, turn = c + radius * math.sin(angle), c + radius * math.cos(angle), -angle
        drawing.text(char, x, y, size, bold=bold, rotate=math.degrees(turn))
    return size


def _qr_path(data: str, x: float, y: float, side: float) -> str:
    """The QR code as one path of its dark modules (runs in a row merged), quiet zone inside."""
    matrix = segno.make(data, error="m", micro=False).matrix
    count = len(matrix) + 2 * QR_QUIET_MODULES
    module = side / count
    commands = []
    for row_index, row in enumerate(matrix):
        top = y + (row_index + QR_QUIET_MODULES) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run_start = column
            while column < len(row) and row[column]:
                column += 1
            left = x + (run_start + QR_QUIET_MODULES) * module
            run = (column - run_start) * module
            commands.append(f"M{_num(left)} {_num(top)}h{_num(run)}v{_num(module)}h{_num(-run)}z")
    return f'<path class="qr" d="{"".join(commands)}"/>'


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _num(value: float) -> str:
    """Millimetres to a thousandth, without trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
