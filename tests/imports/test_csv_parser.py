"""CSV exports of Polish ERPs: the sample reads as expected.json says; each broken file or cell
gets a specific error (line, column as the file names it, what was expected, the value)."""

from __future__ import annotations

import datetime
import io
import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.parsers.csv_parser import PhysicalLines, parse
from payers.phones import normalize_phone
from tests.imports.generated import MB, generated_stream, measured, repeated

DATA = Path(__file__).parent / "data" / "feed"
SAMPLE = DATA / "invoices_erp_cp1250.csv"
HEADER = "Numer dokumentu;Data wystawienia;Termin płatności;Kontrahent;Kwota brutto\r\n"


def parse_bytes(data: bytes, **context: object) -> list[ParsedRow]:
    return list(parse(io.BytesIO(data), context=ParseContext(**context)))  # type: ignore[arg-type]


def parse_text(text: str, encoding: str = "utf-8", **context: object) -> list[ParsedRow]:
    return parse_bytes(text.encode(encoding), **context)


def errors_of(rows: list[ParsedRow]) -> list[tuple[int, str, str, str]]:
    return [(e.line, e.field, e.message, e.value) for row in rows for e in row.errors]


def one_row(amount: str = "100,00", due: str = "15.10.2026") -> str:
    return HEADER + f"FV/1;01.10.2026;{due};Firma;{amount}\r\n"


# --- The sample export ------------------------------------------------------------------------


def test_the_erp_sample_holds_the_invoices_and_payers_expected_json_lists():
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))

    rows = list(parse(SAMPLE.open("rb"), context=ParseContext()))

    assert errors_of(rows) == []
    invoices = [row.record for row in rows]
    assert len(invoices) == expected["invoices"]
    assert sum(invoice.gross_amount for invoice in invoices) == Decimal(expected["invoice_total"])
    assert len({invoice.payer_external_id for invoice in invoices}) == expected["payers"]
    assert [row.line for row in rows] == list(range(2, 42))


def test_the_erp_sample_says_what_the_json_lines_feed_says_invoice_by_invoice():
    lines = (DATA / "invoices.jsonl").read_text(encoding="utf-8").splitlines()
    feed = {item["external_id"]: item for item in map(json.loads, lines)}

    invoices = [row.record for row in parse(SAMPLE.open("rb"), context=ParseContext())]

    assert {invoice.external_id for invoice in invoices} == set(feed)
    for invoice in invoices:
        item, payer = feed[invoice.external_id], feed[invoice.external_id]["payer"]
        assert invoice.number == item["number"]
        assert invoice.issue_date == datetime.date.fromisoformat(item["issue_date"])
        assert invoice.due_date == datetime.date.fromisoformat(item["due_date"])
        assert invoice.gross_amount == Decimal(item["gross_amount"])
        assert invoice.outstanding_amount == Decimal(item["outstanding_amount"])
        assert invoice.currency == item["currency"]
        assert invoice.payer_external_id == payer["external_id"]
        assert invoice.payer.name == payer["name"]
        assert invoice.payer.nip == (payer["nip"] or "")
        assert [normalize_phone(phone) for phone in invoice.payer.phones] == payer["phones"]
        assert invoice.payer.emails == payer["emails"]


def test_polish_letters_of_the_windows_1250_sample_come_out_right():
    names = {row.record.payer.name for row in parse(SAMPLE.open("rb"), context=ParseContext())}

    assert {"Zakład Ślusarski Gęś S.A.", "Piekarnia Źródło S.A.", "Paweł Dąbrowski"} <= names


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8 with BOM"])
def test_the_same_export_in_utf8_reads_the_same(bom):
    as_cp1250 = parse_bytes(SAMPLE.read_bytes())

    as_utf8 = parse_bytes(bom + SAMPLE.read_bytes().decode("cp1250").encode("utf-8"))

    assert as_utf8 == as_cp1250


def test_a_windows_1250_file_with_its_first_polish_letter_after_100_kb_is_decoded_right():
    plain_rows = "".join(f"FV/{n};01.10.2026;15.10.2026;Firma {n};100,00\r\n" for n in range(3000))
    text = HEADER + plain_rows + "FV/X;01.10.2026;15.10.2026;Gęś i Łoś;100,00\r\n"
    assert len(plain_rows) > 100_000

    rows = parse_text(text, "cp1250")

    assert rows[-1].record.payer.name == "Gęś i Łoś"


def test_a_utf8_file_broken_further_on_is_refused_naming_the_line():
    # The first 64 KiB decide UTF-8; a Windows-1250 line after them cannot be read as UTF-8.
    utf8_rows = "".join(f"FV/{n};01.10.2026;15.10.2026;Gęś {n};100,00\r\n" for n in range(2000))
    assert len(utf8_rows.encode()) > 64 * 1024
    late_line = "FV/X;01.10.2026;15.10.2026;Łoś;1,00\r\n".encode("cp1250")

    with pytest.raises(FileRejected, match=r"the file is neither UTF-8 nor Windows-1250 text"):
        parse_bytes((HEADER + utf8_rows).encode() + late_line)


def test_excels_unicode_text_export_utf16_with_tabs_is_read():
    text = one_row().replace(";", "\t").replace("Firma", "Gęś")

    rows = parse_bytes(text.encode("utf-16"))

    assert rows[0].record.payer.name == "Gęś"
    assert rows[0].record.gross_amount == Decimal("100.00")


# --- Delimiters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'Numer faktury,Termin,Nabywca,Brutto\r\nFV/1,2026-10-15,"Firma, sp. z o.o.","1,234.56"\r\n',
        "Numer faktury\tTermin\tNabywca\tBrutto\r\n"
        "FV/1\t2026-10-15\tFirma, sp. z o.o.\t1234,56\r\n",
        "Numer faktury;Termin;Nabywca;Brutto\r\nFV/1;2026-10-15;Firma, sp. z o.o.;1234,56\r\n",
    ],
    ids=["comma", "tab", "semicolon"],
)
def test_the_delimiter_is_detected(text):
    rows = parse_text(text)

    assert rows[0].record.payer.name == "Firma, sp. z o.o."
    assert rows[0].record.gross_amount == Decimal("1234.56")


def test_decimal_commas_in_every_row_do_not_fool_the_delimiter_detection():
    # Every data row has exactly two commas: csv.Sniffer alone picks "," for such a file.
    body = "".join(f"FV/{n};2026-10-15;Firma;{n},50;{n},50\r\n" for n in range(1, 30))
    text = "Numer dokumentu;Termin płatności;Kontrahent;Kwota brutto;Pozostało\r\n" + body

    rows = parse_text(text)

    assert errors_of(rows) == []
    assert rows[0].record.gross_amount == Decimal("1.50")


def test_excels_sep_line_names_the_delimiter_and_is_not_taken_for_the_header():
    text = 'sep=,\r\nNumer,Termin,Nabywca,Brutto\r\nFV/1,2026-10-15,Firma,"1 234,56"\r\n'

    rows = parse_text(text)

    assert rows[0].line == 3
    assert rows[0].record.gross_amount == Decimal("1234.56")


# --- Amounts and dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # Excel's no-break space
        ("1.234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234,5", "1234.50"),
        ("1 234 567,00", "1234567.00"),
        ("1.234.567", "1234567.00"),
        ("1234", "1234.00"),
        ("0,99", "0.99"),
        ("12,3400", "12.34"),
    ],
)
def test_amounts_are_read_in_the_forms_polish_erps_write_them(written, amount):
    rows = parse_text(one_row(amount=f'"{written}"'))

    assert rows[0].record.gross_amount == Decimal(amount)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("1.234", "ambiguous amount: '1.234' could be thousands or decimals"),
        ("1,234", "ambiguous amount: '1,234' could be thousands or decimals"),
        ("12 34,56", "expected an amount like 1 234,56 (thousands are grouped by three digits)"),
        ("1.234.56", "expected an amount like 1 234,56 (thousands are grouped by three digits)"),
        ("1.234,567", "an amount has at most 2 decimal places"),
        ("abc", "expected an amount like 1 234,56"),
        ("100 zł", "expected an amount like 1 234,56"),
        ("1e5", "expected an amount like 1 234,56"),
        ("-100,00", "the amount must not be negative"),
        ("1 000 000 000 000,00", "the amount is too large"),
    ],
)
def test_amounts_that_could_be_misread_are_refused_with_the_reason(written, reason):
    rows = parse_text(one_row(amount=f'"{written}"'))

    ((line, field, message, value),) = errors_of(rows)
    assert (line, field, value) == (2, "Kwota brutto", written)
    assert message.startswith(reason)


@pytest.mark.parametrize(
    "written",
    [
        "2026-10-15",
        "15.10.2026",
        "15-10-2026",
        "2026.10.15",
        "15.10.2026 00:00:00",
        "2026-10-15T00:00",
    ],
)
def test_due_dates_are_read_in_the_documented_forms(written):
    rows = parse_text(one_row(due=written))

    assert rows[0].record.due_date == datetime.date(2026, 10, 15)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("10/15/2026", "expected a date YYYY-MM-DD or DD.MM.YYYY"),
        ("15.10.26", "expected a date YYYY-MM-DD or DD.MM.YYYY"),
        ("31.02.2026", "no such day: 31.02.2026"),
        ("2026-13-01", "no such day: 2026-13-01"),
        ("15.10.0206", "the year 206 is out of range"),
    ],
)
def test_dates_out_of_the_documented_forms_are_refused_with_the_reason(written, reason):
    rows = parse_text(one_row(due=written))

    assert errors_of(rows) == [(2, "Termin płatności", reason, written)]


# --- Broken rows and files ----------------------------------------------------------------------


def test_each_broken_cell_is_reported_with_its_line_column_reason_and_value():
    rows = list(parse((DATA / "broken_values.csv").open("rb"), context=ParseContext()))

    ambiguous = "ambiguous amount: '1.234' could be thousands or decimals — write 1234,00 or 1 234"
    assert errors_of(rows) == [
        (3, "Termin płatności", "expected a date YYYY-MM-DD or DD.MM.YYYY", "2026/10/15"),
        (4, "Termin płatności", "no such day: 31.02.2026", "31.02.2026"),
        (5, "Kwota brutto", "expected an amount like 1 234,56", "100 zł"),
        (6, "Kwota brutto", "the amount must not be negative", "-100,00"),
        (7, "Kwota brutto", ambiguous, "1.234"),
        (7, "Pozostało do zapłaty", ambiguous, "1.234"),
        (8, "Id dokumentu", "duplicate invoice id: already on line 2", "D-1"),
        (
            12,
            "NIP kontrahenta",
            "expected a NIP of 10 digits (dashes and a PL prefix allowed)",
            "814521178",
        ),
        (
            14,
            "Pozostało do zapłaty",
            "the outstanding amount exceeds the gross amount 100.00",
            "200,00",
        ),
        (15, "Numer dokumentu", "required: the invoice number is empty", ""),
        (
            16,
            "",
            "the row has 11 values but the header 10 columns;"
            " is a semicolon inside a value without quotes?",
            "FV/12;01.10.2026;15.10.2026;K7;Firma; z o.o.;;100,00;100,00;PLN;D-12",
        ),
        (17, "Termin płatności", "the due date is before the issue date 2026-10-15", "01.10.2026"),
        (18, "Waluta", "expected a 3-letter currency code such as PLN or EUR", "EURO"),
    ]
    assert all(row.record is None for row in rows if row.errors)


def test_good_rows_among_broken_ones_are_read_with_their_physical_lines():
    rows = list(parse((DATA / "broken_values.csv").open("rb"), context=ParseContext()))

    good = {row.line: row.record for row in rows if row.record}
    assert sorted(good) == [2, 10, 13]  # line 9 is empty; the name on line 10 spans two lines
    assert good[2].gross_amount == Decimal("1234.56")
    assert good[10].payer.name == 'Transport "Bałtyk" s.c.'
    assert (good[13].payer.nip, good[13].payer.nip_flagged) == ("1234567890", True)


def test_missing_columns_refuse_the_file_naming_them_and_the_headers_found():
    with pytest.raises(FileRejected) as refusal:
        list(parse((DATA / "missing_columns.csv").open("rb"), context=ParseContext()))

    assert str(refusal.value) == (
        'missing columns: invoice number (e.g. "Numer dokumentu");'
        ' payer name (e.g. "Nazwa kontrahenta") or payer id (e.g. "Kod kontrahenta");'
        ' gross amount (e.g. "Kwota brutto").'
        ' Headers found: "Nr", "Klient", "Termin płatności", "Kwota".'
        " Rename the columns or save a column mapping."
    )


def test_a_saved_column_mapping_reads_a_file_with_other_headers():
    mapping = {"Nr": "number", "Klient": "payer_name", "Kwota": "gross_amount"}

    rows = list(
        parse(
            (DATA / "missing_columns.csv").open("rb"), context=ParseContext(column_mapping=mapping)
        )
    )

    assert (rows[0].record.number, rows[0].record.payer.name) == ("FV/1", "Firma")


@pytest.mark.parametrize("content", [b"", b"  \r\n\r\n"], ids=["empty", "blank lines"])
def test_an_empty_file_is_refused(content):
    with pytest.raises(FileRejected, match="the file is empty"):
        parse_bytes(content)


def test_a_header_only_file_has_no_rows():
    assert list(parse((DATA / "header_only.csv").open("rb"), context=ParseContext())) == []


def test_without_a_payer_code_the_payer_is_known_by_nip_else_by_name():
    text = "Numer;Termin;Nabywca;NIP;Brutto\r\nFV/1;2026-10-15;A;5260001246;1\r\n"
    text += "FV/2;2026-10-15;B;;1\r\n"

    rows = parse_text(text)

    assert [row.record.payer_external_id for row in rows] == ["5260001246", "B"]
    assert [row.record.payer.external_id for row in rows] == ["5260001246", "B"]


def test_without_an_issue_date_the_due_date_stands_in_and_without_a_due_date_none():
    text = "Numer;Termin;Data wystawienia;Nabywca;Brutto\r\n"
    text += "FV/1;2026-10-15;;A;1\r\nFV/2;;2026-10-01;A;1\r\n"

    first, second = (row.record for row in parse_text(text))

    assert (first.issue_date, first.due_date) == (datetime.date(2026, 10, 15),) * 2
    assert (second.issue_date, second.due_date) == (datetime.date(2026, 10, 1), None)


def test_a_40_mb_field_is_refused_fast_in_bounded_memory_and_the_next_row_is_read():
    stream = generated_stream(
        HEADER.encode(),
        b"FV/1;01.10.2026;15.10.2026;",
        repeated(b"x", 40 * MB),
        b";100,00\r\nFV/2;01.10.2026;15.10.2026;Firma;200,00\r\n",
    )

    rows, cost = measured(lambda: list(parse(stream, context=ParseContext())))

    assert errors_of(rows) == [
        (2, "", "the line is longer than the limit of 1000000 bytes; not read", "")
    ]
    assert rows[1].line == 3 and rows[1].record.gross_amount == Decimal("200.00")
    assert cost.peak_bytes < 16 * MB
    assert cost.seconds < 5


def test_an_unclosed_quote_cannot_grow_a_value_past_the_limit():
    stream = generated_stream(
        HEADER.encode(),
        b'FV/1;01.10.2026;15.10.2026;"Firma',
        (b"y" * 9_999 + b"\n" for _ in range(4_000)),  # 40 MB inside the quotes
    )

    rows, cost = measured(lambda: list(parse(stream, context=ParseContext())))

    assert errors_of(rows)[0] == (
        2,
        "",
        "a value is longer than the limit of 1000000 bytes (an unclosed quote?)",
        "",
    )
    assert cost.peak_bytes < 32 * MB


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"\x00\x01\x02garbage\x00", "this is a binary file, not CSV text"),
        (b"PK\x03\x04rest-of-zip", "this is a ZIP file (an XLSX workbook?), not CSV text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "this is an old Excel .xls workbook"),
    ],
)
def test_binary_files_are_refused_as_a_whole(head, reason):
    with pytest.raises(FileRejected, match=re.escape(reason)):
        parse_bytes(head)


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_give_file_rejected_or_row_errors_never_another_exception(seed):
    garbage = random.Random(seed).randbytes(8_000)
    if seed % 2:
        garbage = garbage.replace(b"\x00", b"")  # also without the NULs that mark binary files

    try:
        rows = parse_bytes(garbage)
    except FileRejected:
        return
    assert all(row.errors and row.record is None for row in rows)


def test_lines_are_counted_right_when_a_crlf_is_split_between_chunks():
    chunks = [b"a;1\r", b"\nb;2\r", b"c;3\n", b"\r\n"]

    lines = list(PhysicalLines(iter(chunks), b"", limit=100))

    assert lines == ["a;1\r\n", "b;2\r", "c;3\n", "\r\n"]


@pytest.mark.parametrize(
    ("chunks", "text"),
    [
        ([b"abc\xc6", b"x\n"], "abcĆx\n"),  # Windows-1250 "Ć" at a chunk's end
        ([b"abc\xc4", b"\x86x\n"], "abcĆx\n"),  # UTF-8 "Ć" split between two chunks
        ([b"abc\xc4"], "abcÄ"),  # the file ends inside what could have been UTF-8
    ],
)
def test_the_encoding_is_decided_right_when_a_letter_meets_a_chunk_boundary(chunks, text):
    assert "".join(PhysicalLines(iter(chunks), b"", limit=100)) == text
