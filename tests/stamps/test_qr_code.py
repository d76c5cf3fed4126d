"""The electronic stamp's QR code holds its verification URL (the drawn path compared with the QR
symbol of that URL, and the PNG scanned by zbar), and the code is printed for people without a
phone."""

from __future__ import annotations

import io
import re

import pytest
import segno
from PIL import Image

from stamps.artwork import QR_QUIET_MODULES, render_svg
from stamps.export import render_png
from stamps.models import CODE_ALPHABET, CODE_LENGTH, StampDesign
from stamps.selectors import stamp_spec
from tests.stamps.conftest import make_design


def drawn_modules(svg: str) -> tuple[set[tuple[int, int]], int]:
    """The dark modules of the QR path as (row, column), from the path's own geometry."""
    d = re.search(r'<path class="qr" d="([^"]+)"', svg).group(1)
    runs = [
        tuple(map(float, run)) for run in re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)", d)
    ]
    module = runs[0][3]
    left = min(run[0] for run in runs) - module * QR_QUIET_MODULES  # finder pattern: column 0
    top = min(run[1] for run in runs) - module * QR_QUIET_MODULES
    dark = set()
    for x, y, width, _height in runs:
        row, column = round((y - top) / module), round((x - left) / module)
        dark |= {
            (row - QR_QUIET_MODULES, column - QR_QUIET_MODULES + i)
            for i in range(round(width / module))
        }
    return dark, module


def symbol_modules(data: str) -> set[tuple[int, int]]:
    matrix = segno.make(data, error="m", micro=False).matrix
    return {(r, c) for r, row in enumerate(matrix) for c, bit in enumerate(row) if bit}


def test_qr_encodes_the_verification_url(tenant, settings):
    settings.PUBLIC_BASE_URL = "https://monitoring.example.pl"
    design = make_design(tenant)
    svg = render_svg(stamp_spec(design)).svg

    dark, module = drawn_modules(svg)
    url = f"https://monitoring.example.pl/v/{design.code}"
    assert dark == symbol_modules(url)
    assert module >= 0.3  # mm per module: printable and readable at 300 dpi
    assert f">{design.code}<" in svg


def test_round_electronic_stamp_prints_the_code_along_the_bottom(tenant):
    design = make_design(tenant, shape=StampDesign.Shape.ROUND, width_mm=40, height_mm=40)
    svg = render_svg(stamp_spec(design)).svg

    letters = re.findall(r'rotate\([^)]*\)"[^>]*>([^<])<', svg)
    assert "".join(letters).endswith(design.code)
    assert drawn_modules(svg)[0] == symbol_modules(stamp_spec(design).verify_url)


def test_mechanical_stamp_has_no_qr_code_and_no_code(tenant):
    design = make_design(tenant, form=StampDesign.Form.MECHANICAL)
    svg = render_svg(stamp_spec(design)).svg
    assert 'class="qr"' not in svg
    assert design.code not in svg


def test_codes_are_long_unambiguous_and_unique(tenant):
    codes = {make_design(tenant).code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == CODE_LENGTH >= 8
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


@pytest.mark.parametrize(
    ("shape", "size"),
    [("rectangular", (58, 22)), ("rectangular", (38, 14)), ("round", (40, 40))],
    ids=["58x22", "38x14", "round-40"],
)
def test_qr_in_the_300_dpi_png_scans_to_the_verification_url(tenant, settings, shape, size):
    """Read back by a real decoder (zbar), on white paper as an invoice would carry it."""
    try:
        from pyzbar.pyzbar import decode
    except ImportError as error:  # pyzbar is a dev dependency; libzbar0 comes from apt
        pytest.fail(f"QR decoder missing ({error}): run `apt-get install -y libzbar0`")
    settings.PUBLIC_BASE_URL = "https://monitoring.example.pl"
    design = make_design(tenant, shape=shape, width_mm=size[0], height_mm=size[1])

    stamp = Image.open(io.BytesIO(render_png(stamp_spec(design), dpi=300)))
    paper = Image.new("RGBA", stamp.size, (255, 255, 255, 255))
    paper.alpha_composite(stamp)

    assert [symbol.data.decode() for symbol in decode(paper.convert("L"))] == [
        f"https://monitoring.example.pl/v/{design.code}"
    ]
