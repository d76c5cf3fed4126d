"""The format of an upload is told from its first bytes, whatever the file is called."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from imports.parsers.base import FileRejected
from imports.parsers.detect import HEAD_BYTES, detect_format

FEED = Path(__file__).parent / "data" / "feed"


def workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def zip_of_xml() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("FV_1.xml", '<?xml version="1.0"?><Faktura/>')
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("eksport.csv", (FEED / "invoices_erp_cp1250.csv").read_bytes(), "csv"),
        ("feed.txt", (FEED / "invoices.jsonl").read_bytes(), "jsonl"),
        ("anything.csv", workbook(), "xlsx"),
        ("faktury.zip", zip_of_xml(), "ksef"),
        (
            "a.xml",
            b'\xef\xbb\xbf<?xml version="1.0"?>\n<Faktura xmlns="http://crd.gov.pl/wzor/2025/06/25/13775/">',
            "ksef",
        ),
        ("a.xml", b'<?xml version="1.0"?><tns:Faktura xmlns:tns="urn:x">', "ksef"),
        (
            "wyciag.xml",
            b'<?xml version="1.0"?>\n'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">',
            "camt053",
        ),
        ("wyciag.txt", b"\r\n:20:ST240101\r\n:25:/PL61109010140000071219812874\r\n", "mt940"),
        ("wyciag.txt", b"{1:F01BREXPLPWAXXX0000000000}{2:O940}{4:\r\n:20:X", "mt940"),
        ("dane.csv", "Numer dokumentu;Kwota\r\n".encode("utf-16"), "csv"),
        ("pusty.jsonl", b"", "jsonl"),
        ("pusty.dat", b"", "csv"),
    ],
)
def test_the_content_tells_the_format(name, head, expected):
    assert detect_format(name, head[:HEAD_BYTES]) == expected


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls workbook"),
        (b'<?xml version="1.0"?><html><body/></html>', "neither a KSeF invoice nor a camt.053"),
    ],
)
def test_a_known_but_unreadable_kind_of_file_is_refused_saying_what_it_is(head, reason):
    with pytest.raises(FileRejected, match=reason):
        detect_format("plik", head)
