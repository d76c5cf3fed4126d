"""A letter's HTML (the client's Django template + CSS) and its PDF (WeasyPrint).

The CSS is put into the HTML's head, so the HTML string alone is the whole document: what the
benchmark hands to bare WeasyPrint as the floor. WeasyPrint may fetch nothing but `data:` URIs:
templates are edited in admin, and a `file:` or `http:` URL there must not read the server's files
or reach the network.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, Template
from django.utils import translation

from dunning.documents.content import LetterContent
from dunning.documents.selectors import LetterTemplate


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@lru_cache(maxsize=64)
def _compiled(html: str) -> Template:
    return Template(html)


def stamp_image(content: LetterContent) -> str:
    """The stamp as an `<img>` at its real size in millimetres ('' without a stamp)."""
    if not content.stamp_svg or not content.stamp_size_mm:
        return ""
    width, height = content.stamp_size_mm
    source = base64.b64encode(content.stamp_svg.encode()).decode()
    return (
        f'<img class="stamp" alt="" style="width: {width:g}mm; height: {height:g}mm" '
        f'src="data:image/svg+xml;base64,{source}">'
    )


def render_html(content: LetterContent, template: LetterTemplate) -> str:
    """The letter as one HTML string, its CSS inlined, in the payer's language."""
    with translation.override(content.language):
        html = _compiled(template.html).render(
            Context({"letter": content, "stamp": stamp_image(content)}, autoescape=True)
        )
    style = f"<style>{escape_style(template.css)}</style>"
    if "</head>" in html:
        return html.replace("</head>", style + "</head>", 1)
    return style + html


def escape_style(css: str) -> str:
    # A stylesheet cannot close its own element: `</style` in admin-edited CSS is neutralised.
    return css.replace("</", "<\\/")


@lru_cache(maxsize=1)
def data_only_fetcher():
    """WeasyPrint's URL fetcher for letters: `data:` URIs only (the stamp, a logo); any other URL
    is skipped (WeasyPrint logs it and draws nothing)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def render_pdf(html: str) -> RenderedPdf:
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=data_only_fetcher()).render()
    return RenderedPdf(content=document.write_pdf(), pages=len(document.pages))
