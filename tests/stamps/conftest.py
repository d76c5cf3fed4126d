"""Stamp designs of `tenant`, made through the service, and helpers to read the files back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from stamps.models import StampDesign
from stamps.services import create_design

PT_PER_MM = 72 / 25.4


def make_design(tenant, **overrides) -> StampDesign:
    fields = {
        "name": "Faktury 2026",
        "form": StampDesign.Form.ELECTRONIC,
        "shape": StampDesign.Shape.RECTANGULAR,
        "width_mm": Decimal("58"),
        "height_mm": Decimal("22"),
        "color": "#1F3A93",
        "text": "NALEŻNOŚĆ MONITOROWANA\nPRZEZ Monitoring należności\nW przypadku braku zapłaty",
    }
    return create_design(tenant=tenant, **(fields | overrides))


@pytest.fixture
def design(tenant) -> StampDesign:
    return make_design(tenant)


def pdf_page_size_mm(pdf: bytes) -> tuple[float, float]:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    return float(box.width) / PT_PER_MM, float(box.height) / PT_PER_MM
