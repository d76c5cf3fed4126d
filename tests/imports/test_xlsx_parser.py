"""XLSX workbooks: typed cells read like the CSV export; hostile ZIPs refused before openpyxl."""

from __future__ import annotations

import csv
import datetime
import io
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from imports.parsers import csv_parser
from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.parsers.xlsx import parse
from tests.imports.generated import MB, measured

SAMPLE = Path(__file__).parent / "data" / "feed" / "invoices_erp_cp1250.csv"
HEADER = ["Numer faktury", "Data wystawienia", "Termin płatności", "Nabywca", "Kwota brutto"]


def workbook_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parse_bytes(data: bytes, **context: object) -> list[ParsedRow]:
    return list(parse(io.BytesIO(data), context=ParseContext(**context)))  # type: ignore[arg-type]


def errors_of(rows: list[ParsedRow]) -> list[tuple[int, str, str, str]]:
    return [(e.line, e.field, e.message, e.value) for row in rows for e in row.errors]


def typed(header: str, value: str) -> object:
    """A CSV cell as Excel would hold it: dates as datetimes, amounts and numbers as numbers."""
    if header.startswith(("Data", "Termin")):
        return datetime.datetime.strptime(value, "%d.%m.%Y")
    if header.startswith(("Kwota", "Pozostało")):
        return float(value.replace(",", "."))
    if header in ("NIP", "Telefon") and value:
        return int(value)
    return value


def test_the_erp_export_saved_as_xlsx_reads_like_the_csv():
    lines = list(csv.reader(SAMPLE.read_text(encoding="cp1250").splitlines(), delimiter=";"))
    header, body = lines[0], lines[1:]
    data = workbook_bytes(
        (
            "Arkusz1",
            [header, *[[typed(h, v) for h, v in zip(header, row, strict=True)] for row in body]],
        )
    )

    from_xlsx = parse_bytes(data)

    from_csv = list(csv_parser.parse(SAMPLE.open("rb"), context=ParseContext()))
    assert errors_of(from_xlsx) == []
    assert [row.record for row in from_xlsx] == [row.record for row in from_csv]
    assert [row.line for row in from_xlsx] == list(range(2, 42))


def test_the_receivables_sheet_is_found_by_name_and_its_header_below_a_title():
    rows = [
        ["Zestawienie należności"],
        [],
        HEADER,
        ["FV/1", datetime.date(2026, 10, 1), "15.10.2026", "Firma", "1 234,56"],
        [],
        ["FV/2", 46296, 46310, "Firma", 17518.400000000001],  # serial days, a float amount
    ]
    data = workbook_bytes(("Notatki", [["nic"]]), ("Należności", rows))

    parsed = parse_bytes(data)

    assert errors_of(parsed) == []
    assert [row.line for row in parsed] == [4, 6]
    first, second = (row.record for row in parsed)
    assert (first.issue_date, first.due_date) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 15),
    )
    assert first.gross_amount == Decimal("1234.56")
    assert (second.issue_date, second.due_date) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 15),
    )
    assert second.gross_amount == Decimal("17518.40")


def test_a_bad_cell_is_reported_with_the_sheet_row_and_the_header_as_written():
    data = workbook_bytes(
        (
            "Faktury",
            [
                HEADER,
                ["FV/1", "2026-10-01", "jutro", "Firma", -5],
                ["FV/1", "2026-10-01", "2026-10-15", "Firma", 1],
            ],
        )
    )

    rows = parse_bytes(data)

    assert errors_of(rows) == [
        (2, "Termin płatności", "expected a date YYYY-MM-DD or DD.MM.YYYY", "jutro"),
        (2, "Kwota brutto", "the amount must not be negative", "-5"),
    ]
    assert rows[1].record.external_id == "FV/1"


def test_missing_columns_refuse_the_workbook_naming_them():
    data = workbook_bytes(("Arkusz1", [["Numer faktury", "Kwota brutto"], ["FV/1", 1]]))

    with pytest.raises(FileRejected, match=r"missing columns: payer name .* Headers found: "):
        parse_bytes(data)


def test_without_a_header_in_the_first_ten_rows_the_closest_row_is_named():
    titles = [[f"Tytuł {n}"] for n in range(12)]
    data = workbook_bytes(("Arkusz1", [["Numer faktury", "Nabywca", "Brutto"], *titles]))

    with pytest.raises(FileRejected) as refusal:
        parse_bytes(data)

    assert str(refusal.value).startswith('missing columns: due date (e.g. "Termin płatności")')
    assert 'Headers found: "Numer faktury", "Nabywca", "Brutto"' in str(refusal.value)


def test_an_empty_sheet_is_refused():
    with pytest.raises(FileRejected, match="the sheet is empty"):
        parse_bytes(workbook_bytes(("Arkusz1", [])))


def test_an_upload_that_cannot_seek_is_read_too():
    data = workbook_bytes(("Arkusz1", [HEADER, ["FV/1", "2026-10-01", "2026-10-15", "Firma", 10]]))
    stream = io.BufferedReader(io.BytesIO(data))
    stream.seekable = lambda: False  # type: ignore[method-assign]

    rows = list(parse(stream, context=ParseContext()))

    assert rows[0].record.gross_amount == Decimal("10.00")


# --- Hostile and broken files -------------------------------------------------------------------


def zip_bytes(members: dict[str, object], *, level: int = 9) -> bytes:
    """A ZIP whose members are bytes or iterables of chunks (written without holding them)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in [content] if isinstance(content, bytes) else content:
                    member.write(chunk)
    return buffer.getvalue()


def zeros(total: int) -> object:
    chunk = bytes(MB)
    return (chunk for _ in range(total // MB))


def test_a_zip_bomb_of_300_mb_is_refused_in_well_under_a_second():
    bomb = zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": zeros(300 * MB)}, level=1
    )
    assert len(bomb) < 2 * MB

    result, cost = measured(lambda: pytest.raises(FileRejected, parse_bytes, bomb))

    assert "zip bomb" in str(result.value)
    assert cost.seconds < 0.5
    assert cost.peak_bytes < 16 * MB


def test_members_adding_up_past_200_mb_are_refused_though_each_compresses_modestly():
    noise = random.Random(7)
    # 16 random bytes per KiB: about 40x smaller compressed, under the per-member ratio limit.
    chunk = b"".join(noise.randbytes(16) + bytes(1008) for _ in range(1024))
    members = {f"xl/media/image{n}.bin": (chunk for _ in range(55)) for n in range(4)}
    data = zip_bytes(members, level=1)

    with pytest.raises(FileRejected, match=r"the workbook expands to 230686720 bytes"):
        parse_bytes(data)


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "/etc/passwd", "xl/../../evil.xml", "C:/evil.xml"]
)
def test_a_member_escaping_the_folder_is_refused(name):
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", name: b"<x/>"})

    with pytest.raises(FileRejected, match=r"refused: the ZIP member"):
        parse_bytes(data)


def test_a_zip_of_more_than_1000_members_is_refused():
    data = zip_bytes({f"xl/{n}.xml": b"" for n in range(1001)}, level=1)

    with pytest.raises(FileRejected, match=r"the ZIP has 1001 members"):
        parse_bytes(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Numer;Kwota\r\nFV/1;1\r\n", "not an XLSX workbook (not a valid ZIP file"),
        (zip_bytes({"faktura.xml": b"<Faktura/>"}), "a ZIP file, but not an XLSX workbook"),
        (
            zip_bytes({"[Content_Types].xml": b"garbage", "xl/workbook.xml": b"<<<"}),
            "not a readable XLSX workbook",
        ),
        (b"", "not an XLSX workbook"),
    ],
    ids=["csv", "zip of xml", "broken workbook", "empty"],
)
def test_a_file_that_is_not_a_workbook_is_refused(data, reason):
    with pytest.raises(FileRejected, match=reason.replace("(", r"\(")):
        parse_bytes(data)


def test_a_truncated_workbook_is_refused():
    data = workbook_bytes(("Arkusz1", [HEADER, ["FV/1", "2026-10-01", "2026-10-15", "Firma", 10]]))

    with pytest.raises(FileRejected):
        parse_bytes(data[: len(data) // 2])
