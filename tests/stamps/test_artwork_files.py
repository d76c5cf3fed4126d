"""The stamp's files have the chosen size: the PDF page within 0.1 mm, the SVG in mm, the PNG in
pixels for its dpi, with transparency; and the PDF is vector, with the text embedded."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from stamps.artwork import StampSpec, render_svg
from stamps.export import render_pdf, render_png
from tests.stamps.conftest import pdf_page_size_mm

LINES = ("NALEŻNOŚĆ MONITOROWANA", "PRZEZ Monitoring należności", "Zażółć gęślą jaźń Sp. z o.o.")
URL = "https://monitoring.example.pl/v/ABCDEFGH23"
SIZES = [
    pytest.param("rectangular", 58, 22, id="58x22"),
    pytest.param("rectangular", 47, 18, id="47x18"),
    pytest.param("rectangular", 38, 14, id="38x14"),
    pytest.param("round", 40, 40, id="round-40"),
    pytest.param("rectangular", 63.5, 27.3, id="custom-63.5x27.3"),
    pytest.param("round", 32.5, 32.5, id="round-custom-32.5"),
]


def spec(shape, width, height, *, electronic=True) -> StampSpec:
    return StampSpec(
        shape=shape,
        width_mm=width,
        height_mm=height,
        color="#1F3A93",
        lines=LINES,
        verify_url=URL if electronic else None,
        code="ABCDEFGH23" if electronic else None,
    )


@pytest.mark.parametrize(("shape", "width", "height"), SIZES)
@pytest.mark.parametrize("electronic", [True, False], ids=["electronic", "mechanical"])
def test_pdf_page_is_the_chosen_size_within_a_tenth_of_a_millimetre(
    shape, width, height, electronic
):
    page_width, page_height = pdf_page_size_mm(
        render_pdf(spec(shape, width, height, electronic=electronic))
    )

    assert page_width == pytest.approx(width, abs=0.1)
    assert page_height == pytest.approx(height, abs=0.1)


@pytest.mark.parametrize(("shape", "width", "height"), SIZES)
def test_svg_is_sized_in_millimetres_with_a_matching_viewbox(shape, width, height):
    svg = render_svg(spec(shape, width, height)).svg

    root = re.match(r"<svg [^>]*>", svg).group(0)
    assert f'width="{width:g}mm"' in root
    assert f'height="{height:g}mm"' in root
    assert f'viewBox="0 0 {width:g} {height:g}"' in root


def test_pdf_is_vector_with_the_polish_text_embedded():
    reader = PdfReader(io.BytesIO(render_pdf(spec("rectangular", 58, 22))))
    page = reader.pages[0]

    resources = page["/Resources"]
    xobjects = resources.get("/XObject", {})
    images = [
        name
        for name, ref in (xobjects.items() if xobjects else [])
        if ref.get_object().get("/Subtype") == "/Image"
    ]
    assert images == []  # nothing rasterised
    assert "/Font" in resources
    text = page.extract_text()
    assert "NALEŻNOŚĆ MONITOROWANA" in text
    assert "Zażółć gęślą jaźń" in text


@pytest.mark.parametrize("dpi", [300, 600])
@pytest.mark.parametrize(("shape", "width", "height"), [SIZES[0], SIZES[3]])
def test_png_has_the_pixels_of_its_size_at_its_dpi_and_is_transparent(shape, width, height, dpi):
    image = Image.open(io.BytesIO(render_png(spec(shape, width, height), dpi=dpi)))

    assert image.width == pytest.approx(width / 25.4 * dpi, abs=1)
    assert image.height == pytest.approx(height / 25.4 * dpi, abs=1)
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0  # the corner outside the border: no ink, no paper
    assert round(image.info["dpi"][0]) == dpi  # so invoice software places it at its real size
    alpha = image.getchannel("A")
    assert alpha.getextrema() == (0, 255)  # ink is opaque


def test_png_ink_is_the_chosen_colour():
    image = Image.open(io.BytesIO(render_png(spec("round", 40, 40), dpi=300)))
    raw = image.tobytes()
    opaque = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4) if raw[i + 3] == 255]
    assert opaque
    assert max(set(opaque), key=opaque.count)[:3] == (0x1F, 0x3A, 0x93)


def test_text_is_scaled_down_to_fit_a_small_stamp():
    long_line = ("W przypadku braku terminowej zapłaty sprawa zostanie przekazana do windykacji.",)
    roomy = render_svg(spec("rectangular", 58, 22)).smallest_text_mm
    tight = render_svg(
        StampSpec("rectangular", 38, 14, "#000000", LINES + long_line)
    ).smallest_text_mm

    assert tight < roomy
    assert tight > 0.5


def test_round_stamp_sets_its_first_line_letter_by_letter_on_the_circle():
    svg = render_svg(spec("round", 40, 40, electronic=False)).svg

    letters = re.findall(r'transform="rotate\(([-\d.]+) [\d.]+ [\d.]+\)"[^>]*>([^<])<', svg)
    top = [float(angle) for angle, _letter in letters][: len(LINES[0].replace(" ", ""))]
    assert "".join(letter for _angle, letter in letters).startswith("NALEŻNOŚĆMONITOROWANA")
    assert top == sorted(top)  # turning clockwise from left to right over the top
    assert top[0] < -45 and top[-1] > 45
