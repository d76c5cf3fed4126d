"""MT940 statements of Polish banks become payments; broken lines are reported, the rest booked."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from imports.parsers import mt940
from imports.parsers.base import FileRejected, ParseContext, ParsedRow

DATA = Path(__file__).parent / "data" / "bank"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
OWN_IBAN = EXPECTED["tenant"]["iban"]


def parse_bytes(data: bytes) -> list[ParsedRow]:
    return list(mt940.parse(io.BytesIO(data), context=ParseContext()))


def parse_file(name: str) -> list[ParsedRow]:
    return parse_bytes((DATA / name).read_bytes())


def invoice_number_in(title: str) -> list[str]:
    """The number the feed's title names, written as the invoice has it (FV/2026/09/0004)."""
    found = re.search(r"FV\s*/[\d\s/]*\d", title, re.IGNORECASE)
    return [re.sub(r"\s", "", found.group()).upper()] if found else []


@pytest.mark.parametrize(
    "name", ["statement_pko_structured_cp1250.sta", "statement_pko_multiline_cp1250.mt940"]
)
def test_feed_statements_hold_exactly_the_expected_payments(name):
    rows = parse_file(name)

    assert all(not row.errors for row in rows)
    got = sorted(
        (r.record.paid_on.isoformat(), r.record.amount, r.record.title.casefold()) for r in rows
    )
    expected = sorted(
        (p["date"], Decimal(p["amount"]), p["title"].casefold()) for p in EXPECTED["payments"]
    )
    assert got == expected
    for row in rows:
        payment = row.record
        assert payment.currency == "PLN"
        assert payment.own_account == OWN_IBAN
        assert payment.external_id.startswith(f"{OWN_IBAN}/PL2")
        assert payment.invoice_numbers == invoice_number_in(payment.title)


def test_structured_field_86_gives_name_account_and_title():
    payment = parse_file("statement_pko_structured_cp1250.sta")[0].record

    assert payment.external_id == f"{OWN_IBAN}/PL260908000000"
    assert payment.paid_on == datetime.date(2026, 9, 8)
    assert payment.amount == Decimal("22603.83")
    assert payment.title == "zapłata za fv fv/2026/08/0010"
    assert payment.counterparty_name == "Sklep Spożywczy Pod Dębem sp. z o.o."
    assert payment.counterparty_account == "PL69267304320171851337420780"
    assert payment.invoice_numbers == ["FV/2026/08/0010"]


def test_pko_multiline_with_0xff_fillers_gives_clean_titles_and_names():
    rows = parse_file("statement_pko_multiline_cp1250.mt940")

    assert len(rows) == 13
    for row in rows:
        assert "˙" not in row.record.title + row.record.counterparty_name
        assert row.record.title == row.record.title.strip()
    first = rows[0].record
    assert first.title == "ZAPŁATA ZA FV FV/2026/08/0010"
    assert first.counterparty_name == "SKLEP SPOŻYWCZY POD DĘBEM SP. Z O.O."
    assert rows[0].line == 5  # the line of its :61:
    assert rows[-1].record.counterparty_name == "PIEKARNIA ŹRÓDŁO S.A."


def test_title_split_across_subfields_20_and_21_finds_the_invoice_number():
    rows = parse_file("statement_pko_multiline_cp1250.mt940")

    [payment] = [r.record for r in rows if r.record.amount == Decimal("56362.61")]
    assert payment.title == "PRZELEW FV NR FV / 2026 / 09 / 0004"  # "~20…/ 0" + "~219 / 0004"
    assert payment.invoice_numbers == ["FV/2026/09/0004"]


def statement(*entries: str, encoding: str = "cp1250") -> bytes:
    head = ":20:ST1\r\n:25:/PL21437780138749813784624885\r\n:28C:1\r\n:60F:C261101PLN0,00\r\n"
    tail = ":62F:C261120PLN0,00\r\n-\r\n"
    return (head + "".join(entries) + tail).encode(encoding)


def entry(line_61: str, field_86: str) -> str:
    return f":61:{line_61}\r\n152 0\r\n:86:{field_86}\r\n"


def test_split_payment_title_in_chunks_gives_nip_and_invoice_number():
    data = statement(
        entry(
            "2611171117C1230,00N152NONREF//REF1",
            "020~00152~20/VAT/230,00/IDC/5260001246/I~21NV/FV/12/2026/TXT/ZAPŁATA~32FIRMA",
        )
    )

    [row] = parse_bytes(data)

    assert row.record.counterparty_nip == "5260001246"
    assert row.record.invoice_numbers == ["FV/12/2026"]
    assert row.record.title == "/VAT/230,00/IDC/5260001246/INV/FV/12/2026/TXT/ZAPŁATA"


def test_broken_lines_are_reported_and_good_entries_still_parsed():
    data = statement(
        entry("2611171117C100,00N152NONREF//GOOD1", "020~20FV/1/2026"),
        entry("garbage that is no entry", "020~20FV/2/2026"),
        entry("2611181118C12X4,00N152NONREF//BAD2", "020~20FV/3/2026"),
        entry("2613451345C10,00N152NONREF//BAD3", "020~20FV/4/2026"),
        entry("2611191119C300,50N152NONREF//GOOD2", "020~20FV/5/2026"),
    )

    rows = parse_bytes(data)

    good = [row.record for row in rows if row.record]
    assert [(p.external_id.split("/")[-1], p.invoice_numbers) for p in good] == [
        ("GOOD1", ["FV/1/2026"]),
        ("GOOD2", ["FV/5/2026"]),
    ]
    errors = [error for row in rows for error in row.errors]
    assert [(e.line, e.field, e.value) for e in errors] == [
        (8, ":61:", ":61:garbage that is no entry"),
        (11, ":61:", ":61:2611181118C12X4,00N152NONREF//BAD2"),
        (14, ":61:", ":61:2613451345C10,00N152NONREF//BAD3"),
    ]
    assert "expected value date YYMMDD" in errors[0].message
    assert "not a number with a decimal comma" in errors[1].message
    assert "not a valid YYMMDD" in errors[2].message


def test_debits_are_skipped():
    data = statement(
        entry("2611171117D100,00N152NONREF//OUT1", "020~20CZYNSZ"),
        entry("2611171117C50,00N152NONREF//IN1", "020~20FV/9/2026"),
    )

    assert [row.record.amount for row in parse_bytes(data)] == [Decimal("50.00")]


def test_counterparty_iban_is_computed_from_sort_code_and_account():
    data = statement(
        entry("2609080908C1,00N152NONREF//R1", "020~20X~3026730432~310171851337420780~32A")
    )

    assert parse_bytes(data)[0].record.counterparty_account == "PL69267304320171851337420780"


@pytest.mark.parametrize("encoding", ["cp1250", "cp852", "utf-8"])
def test_encoding_is_detected(encoding):
    data = statement(
        entry("2611171117C1,00N152NONREF//R1", "020~20Zapłata za fakturę FV/7/2026~32Żółć Śląsk"),
        encoding=encoding,
    )

    payment = parse_bytes(data)[0].record

    assert payment.title == "Zapłata za fakturę FV/7/2026"
    assert payment.counterparty_name == "Żółć Śląsk"


def test_entry_date_across_new_year_takes_the_next_year():
    data = statement(entry("2612310102C1,00N152NONREF//R1", "020~20X"))

    assert parse_bytes(data)[0].record.paid_on == datetime.date(2027, 1, 2)


def test_mbank_free_text_gives_title_name_and_account():
    rows = parse_file("mbank_mt940.sta")

    assert len(rows) == 3
    payment = rows[0].record
    assert payment.external_id == "PL29114010810000267002001002/MB170119012058"
    assert payment.amount == Decimal("0.01")
    assert payment.paid_on == datetime.date(2017, 1, 19)
    assert payment.title == "PRZELEW SRODKOW"
    assert payment.counterparty_name == "JAN NOWAK"
    assert payment.counterparty_account == "PL56114010810000267002001001"


def test_mbank_title_wrapped_over_lines_finds_the_invoice_number():
    payment = parse_file("mbank_with_newline_in_tnr.sta")[0].record

    assert payment.title.startswith("_FAKTURA VAT NR FVD-0000/02/2017 A AAAAA")
    assert payment.invoice_numbers[0] == "FVD-0000/02/2017"


def test_entries_without_bank_reference_get_a_stable_hash_id():
    first = parse_file("ing_nl_generic.sta")
    again = parse_file("ing_nl_generic.sta")

    ids = [row.record.external_id for row in first]
    assert [row.record.amount for row in first] == [Decimal("3.68"), Decimal("1.00")]
    assert first[0].record.currency == "EUR"
    assert all(i.startswith("0001234567/#") for i in ids)
    assert len(set(ids)) == 2
    assert ids == [row.record.external_id for row in again]


def test_identical_entries_of_one_day_get_different_ids():
    twice = entry("2611171117C10,00N152NONREF", "020~20RATA")

    rows = parse_bytes(statement(twice, twice))

    assert len({row.record.external_id for row in rows}) == 2


def test_a_file_without_mt940_tags_is_rejected():
    with pytest.raises(FileRejected, match="not an MT940"):
        parse_bytes(b"Numer dokumentu;Kwota\nFV/1;100\n")
