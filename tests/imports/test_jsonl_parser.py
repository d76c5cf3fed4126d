"""JSON Lines feeds: the sample reads as expected.json says; a bad line is an error on that line
and the next line is read as usual."""

from __future__ import annotations

import datetime
import io
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.parsers.jsonl import parse
from tests.imports.generated import MB, generated_stream, measured, repeated

DATA = Path(__file__).parent / "data" / "feed"
GOOD = {
    "external_id": "J-1",
    "number": "FV/1",
    "issue_date": "2026-10-01",
    "due_date": "2026-10-15",
    "gross_amount": "100.00",
    "payer_external_id": "K1",
}


def parse_lines(*lines: str | dict) -> list[ParsedRow]:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return list(parse(io.BytesIO(text.encode()), context=ParseContext()))


def errors_of(rows: list[ParsedRow]) -> list[tuple[int, str, str, str]]:
    return [(e.line, e.field, e.message, e.value) for row in rows for e in row.errors]


def test_the_sample_feed_holds_the_invoices_and_payers_expected_json_lists():
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))

    rows = list(parse((DATA / "invoices.jsonl").open("rb"), context=ParseContext()))

    assert errors_of(rows) == []
    invoices = [row.record for row in rows]
    assert len(invoices) == expected["invoices"]
    assert sum(invoice.gross_amount for invoice in invoices) == Decimal(expected["invoice_total"])
    assert len({invoice.payer.external_id for invoice in invoices}) == expected["payers"]
    consumer = next(invoice for invoice in invoices if invoice.external_id == "INV-11-0003")
    assert consumer.payer.name == "Paweł Dąbrowski"
    assert (consumer.payer.kind, consumer.payer.nip) == ("consumer", "")
    assert consumer.payer.phones == ["+48553865739"]
    assert consumer.due_date == datetime.date(2026, 9, 30)


def test_each_broken_line_is_reported_with_its_line_field_reason_and_value():
    rows = list(parse((DATA / "broken.jsonl").open("rb"), context=ParseContext()))

    nan_line = (DATA / "broken.jsonl").read_text(encoding="utf-8").splitlines()[6]
    assert errors_of(rows) == [
        (2, "", "not valid JSON: Expecting value (column 1)", "this is not json"),
        (3, "", "expected a JSON object {…} per line, got list", '["a", "list"]'),
        (6, "gross_amount", "an amount has at most 2 decimal places (grosze)", "1.005"),
        (7, "", "not valid JSON: NaN is not a number", nan_line),
        (8, "external_id", "duplicate invoice id: already on line 1", "J-1"),
        (9, "gross_amount", "the amount must not be negative", "-5.00"),
        (10, "payer", "expected an object {…}", "K1"),
        (10, "payer.name", "the row needs the payer's name or id", ""),
        (11, "payer_external_id", "payer_external_id differs from payer.external_id", "K1"),
        (12, "gross_amount", "expected an amount like 1 234,56", "true"),
        (12, "payer.kind", "expected business (firma) or consumer (konsument)", "alien"),
        (13, "number", "expected text", '{"nested": 1}'),
    ]


def test_good_lines_among_broken_ones_are_read_with_their_line_numbers():
    rows = list(parse((DATA / "broken.jsonl").open("rb"), context=ParseContext()))

    good = {row.line: row.record for row in rows if row.record}
    assert sorted(good) == [1, 5]  # line 4 is empty
    assert good[1].gross_amount == Decimal("17518.40")  # a JSON number, read without float
    assert (good[1].payer.nip, good[1].payer.phones) == ("8789328790", ["599 951 236"])
    assert good[5].gross_amount == Decimal("1234.56")  # "1 234,56" as in a CSV
    assert (good[5].payer, good[5].payer_external_id) == (None, "K1")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(1234567890.12, "1234567890.12"), (0.1, "0.10"), (5, "5.00"), ("7,5", "7.50")],
)
def test_amounts_as_json_numbers_or_strings_are_exact(amount, expected):
    rows = parse_lines(GOOD | {"gross_amount": amount})

    assert rows[0].record.gross_amount == Decimal(expected)


def test_an_object_nested_deeper_than_20_levels_is_an_error_on_its_line():
    deep = '{"a": ' * 21 + "1" + "}" * 21
    in_a_string = GOOD | {"number": "[[[[[[[[[[[[[[[[[[[[[[[[[[[["}

    rows = parse_lines(deep, in_a_string)

    assert errors_of(rows) == [(1, "", "nested deeper than 20 levels", deep)]
    assert rows[1].record.number == "[[[[[[[[[[[[[[[[[[[[[[[[[[[["


def test_a_40_mb_line_is_skipped_fast_in_bounded_memory_and_the_next_line_is_read():
    stream = generated_stream(
        b'{"external_id": "J-0", "number": "',
        repeated(b"x", 40 * MB),
        b'"}\n',
        json.dumps(GOOD).encode() + b"\n",
    )

    rows, cost = measured(lambda: list(parse(stream, context=ParseContext())))

    assert errors_of(rows) == [
        (1, "", "the line is longer than the limit of 1000000 bytes; not read", "")
    ]
    assert rows[1].line == 2 and rows[1].record.external_id == "J-1"
    assert cost.peak_bytes < 8 * MB
    assert cost.seconds < 5


def test_a_line_that_is_not_utf8_is_an_error_on_that_line():
    data = json.dumps(GOOD | {"number": "Łoś"}, ensure_ascii=False).encode("cp1250")

    rows = list(parse(io.BytesIO(data + b"\n" + json.dumps(GOOD).encode()), context=ParseContext()))

    assert errors_of(rows)[0][:3] == (1, "", "not UTF-8 text")
    assert rows[1].record.external_id == "J-1"


def test_a_byte_order_mark_and_blank_lines_are_allowed():
    data = b"\xef\xbb\xbf" + json.dumps(GOOD).encode() + b"\r\n\r\n  \n"

    rows = list(parse(io.BytesIO(data), context=ParseContext()))

    assert [row.line for row in rows] == [1]
    assert rows[0].record.external_id == "J-1"


@pytest.mark.parametrize("content", [b"", b"\n \n\t\n"], ids=["empty", "blank lines"])
def test_a_file_without_any_object_is_refused(content):
    with pytest.raises(FileRejected, match="the file holds no invoice"):
        list(parse(io.BytesIO(content), context=ParseContext()))


@pytest.mark.parametrize("seed", range(10))
def test_binary_garbage_gives_row_errors_never_another_exception(seed):
    garbage = random.Random(seed).randbytes(20_000)

    rows = list(parse(io.BytesIO(garbage), context=ParseContext()))

    assert rows
    assert all(row.record is None and row.errors for row in rows)
