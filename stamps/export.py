"""The artwork as files: PDF for the stamp maker, PNG for invoices.

PDF: WeasyPrint lays out one page of exactly the stamp's size (`@page { size: W H; margin: 0 }`)
holding the SVG, which it draws as vector paths and embedded text, so the stamp maker gets the
drawing at 1:1 with nothing rasterised. PNG: PDFium (pypdfium2, a wheel needing no system
package) rasterises that PDF onto a transparent background at the asked resolution, so the PNG
is the same drawing as the PDF, pixel for millimetre.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from stamps.artwork import StampSpec, render_svg

MM_PER_INCH = 25.4
PT_PER_INCH = 72
DPI_CHOICES = (300, 600)


def render_pdf(spec: StampSpec) -> bytes:
    from weasyprint import HTML

    svg = render_svg(spec).svg
    width, height = f"{spec.width_mm:g}mm", f"{spec.height_mm:g}mm"
    source = base64.b64encode(svg.encode()).decode()
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width} {height}; margin: 0 }}"
        "html, body { margin: 0; padding: 0 }"
        f"img {{ display: block; width: {width}; height: {height} }}"
        "</style></head><body>"
        f"<img alt='' src='data:image/svg+xml;base64,{source}'>"
        "</body></html>"
    )
    return HTML(string=html).write_pdf()


def render_png(spec: StampSpec, *, dpi: int) -> bytes:
    """The stamp at `dpi`, transparent where there is no ink, tagged with its resolution."""
    import pypdfium2

    if dpi not in DPI_CHOICES:
        raise ValueError(f"dpi must be one of {DPI_CHOICES}, not {dpi!r}.")
    document = pypdfium2.PdfDocument(render_pdf(spec))
    try:
        bitmap = document[0].render(scale=dpi / PT_PER_INCH, fill_color=(0, 0, 0, 0))
        image = bitmap.to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


@dataclass(frozen=True)
class StampFile:
    content: bytes
    content_type: str
    extension: str
    name_suffix: str = ""  # e.g. "-300dpi", so both PNGs can sit side by side


# Download kinds: the vector files, and the PNG at each offered resolution.
FILE_KINDS = ("svg", "pdf", "png-300", "png-600")


def render_file(spec: StampSpec, kind: str) -> StampFile:
    """One of FILE_KINDS; ValueError for anything else."""
    if kind == "svg":
        svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + render_svg(spec).svg
        return StampFile(svg.encode(), "image/svg+xml", "svg")
    if kind == "pdf":
        return StampFile(render_pdf(spec), "application/pdf", "pdf")
    if kind in ("png-300", "png-600"):
        dpi = int(kind.removeprefix("png-"))
        return StampFile(render_png(spec, dpi=dpi), "image/png", "png", f"-{dpi}dpi")
    raise ValueError(f"Unknown stamp file kind {kind!r}; expected one of {FILE_KINDS}.")
