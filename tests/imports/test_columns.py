"""Column headers of Polish ERP exports are recognised however they are spelled; a saved mapping
wins over the table; a row becomes an invoice with its payer, or its errors."""

from __future__ import annotations

import datetime

import pytest

from imports.parsers.base import FileRejected
from imports.parsers.columns import SYNONYMS, normalize_header, resolve_columns
from imports.parsers.records import InvoiceAssembler

REQUIRED_HEADERS = {
    "number": "Numer dokumentu",
    "due_date": "Termin płatności",
    "payer_name": "Kontrahent",
    "gross_amount": "Kwota brutto",
}


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("  TERMIN  PŁATNOŚCI ", "Termin płatności"),
        ("termin_platnosci", "Termin płatności"),
        ("E-mail", "Email"),
        ("Kwota brutto (PLN)", "Kwota brutto"),
        ("Nr. dokumentu:", "Nr dokumentu"),
        ("MIEJSCOWOŚĆ", "miejscowosc"),
    ],
)
def test_headers_match_regardless_of_case_diacritics_spaces_and_punctuation(written, same_as):
    assert normalize_header(written) == normalize_header(same_as)


# The headers the receivables exports of Comarch Optima, InsERT Subiekt, Symfonia, enova365,
# wFirma and Fakturownia use, as the data-feed issue lists them.
ERP_HEADERS = {
    "number": ["Numer dokumentu", "Nr dokumentu", "Numer faktury", "Dokument", "Numer"],
    "due_date": ["Termin płatności", "Termin", "Data płatności"],
    "issue_date": ["Data wystawienia", "Data dokumentu"],
    "outstanding_amount": ["Pozostało do zapłaty", "Do zapłaty", "Pozostało", "Saldo"],
    "gross_amount": ["Kwota brutto", "Wartość brutto", "Brutto", "Razem brutto"],
    "payer_nip": ["NIP nabywcy", "NIP kontrahenta", "NIP"],
    "payer_name": ["Nabywca", "Kontrahent", "Nazwa kontrahenta", "Odbiorca"],
    "payer_external_id": ["Kod kontrahenta", "Id kontrahenta", "Akronim"],
    "currency": ["Waluta"],
    "payer_phone": ["Telefon"],
    "payer_email": ["E-mail", "Email"],
    "payer_street": ["Ulica"],
    "payer_postal_code": ["Kod pocztowy"],
    "payer_city": ["Miejscowość", "Miasto"],
    "external_id": ["Id dokumentu", "Identyfikator"],
}


@pytest.mark.parametrize(
    ("field", "header"),
    [(field, header) for field, headers in ERP_HEADERS.items() for header in headers],
)
def test_each_erp_header_is_recognised_out_of_the_box(field, header):
    others = [written for other, written in REQUIRED_HEADERS.items() if other != field]

    columns = resolve_columns([*others, header], {})

    assert columns.index[field] == len(others)
    assert columns.labels[field] == header


def test_no_two_fields_share_a_synonym():
    seen: dict[str, str] = {}
    for field, headers in SYNONYMS.items():
        for header in headers:
            assert seen.setdefault(normalize_header(header), field) == field, header


@pytest.mark.parametrize(
    ("headers", "field", "chosen"),
    [
        (["Odbiorca", "Nabywca"], "payer_name", "Nabywca"),
        (["Saldo", "Pozostało do zapłaty"], "outstanding_amount", "Pozostało do zapłaty"),
        (["NIP", "NIP nabywcy"], "payer_nip", "NIP nabywcy"),
        (["Termin", "Termin płatności"], "due_date", "Termin płatności"),
    ],
)
def test_of_two_columns_for_one_field_the_more_specific_header_wins(headers, field, chosen):
    columns = resolve_columns([*REQUIRED_HEADERS.values(), *headers], {})

    assert columns.labels[field] == chosen


def test_a_saved_mapping_wins_over_the_table_and_can_ignore_a_column():
    headers = ["Nr", "Klient", "Kontrahent", "Płatne do", "Kwota brutto", "Saldo"]
    mapping = {"nr": "number", "KLIENT": "payer_name", "Płatne do": "due_date", "Saldo": ""}

    columns = resolve_columns(headers, mapping)

    assert columns.labels == {
        "number": "Nr",
        "payer_name": "Klient",
        "due_date": "Płatne do",
        "gross_amount": "Kwota brutto",
    }


def test_a_mapping_naming_an_unknown_field_is_refused_listing_the_known_ones():
    with pytest.raises(FileRejected, match=r"unknown fields amount; known: external_id, number"):
        resolve_columns(list(REQUIRED_HEADERS.values()), {"Kwota": "amount"})


def test_missing_required_columns_are_named_with_an_example_header():
    with pytest.raises(FileRejected) as refusal:
        resolve_columns(["Numer dokumentu", "Kontrahent", "Uwagi"], {})

    assert str(refusal.value).startswith(
        'missing columns: due date (e.g. "Termin płatności") or issue date'
        ' (e.g. "Data wystawienia"); gross amount (e.g. "Kwota brutto").'
        ' Headers found: "Numer dokumentu", "Kontrahent", "Uwagi".'
    )


# --- A row becomes an invoice ---------------------------------------------------------------

LABELS = {field: field for field in SYNONYMS}
ROW = {"number": "FV/1", "due_date": "2026-10-15", "gross_amount": "10,00"}


def test_a_row_with_a_payer_id_but_no_name_refers_to_a_payer_sent_before():
    row = InvoiceAssembler(labels=LABELS).build(ROW | {"payer_external_id": "K1"}, line=2)

    assert (row.record.payer, row.record.payer_external_id) == (None, "K1")


def test_a_row_carries_its_payers_contacts_address_and_kind():
    values = ROW | {
        "payer_name": "Jan  Kowalski",
        "payer_kind": "Konsument",
        "payer_phone": "601 234 567; 602 345 678",
        "payer_email": "jan@example.pl, biuro@example.pl",
        "payer_street": "ul. Długa 1",
        "payer_postal_code": "00-001",
        "payer_city": "Warszawa",
        "payer_country": "pl",
        "instalment_number": "3",
        "contract_number": "UM/7",
    }

    record = InvoiceAssembler(labels=LABELS).build(values, line=2).record

    assert record.payer_external_id == "Jan  Kowalski"  # no id, no NIP: the name
    assert record.payer.kind == "consumer"
    assert record.payer.phones == ["601 234 567", "602 345 678"]
    assert record.payer.emails == ["jan@example.pl", "biuro@example.pl"]
    assert (record.payer.street, record.payer.postal_code) == ("ul. Długa 1", "00-001")
    assert (record.payer.city, record.payer.country) == ("Warszawa", "PL")
    assert (record.instalment_number, record.contract_number) == (3, "UM/7")
    assert record.issue_date == record.due_date == datetime.date(2026, 10, 15)


def test_text_longer_than_the_database_keeps_is_an_error_naming_the_limit():
    row = InvoiceAssembler(labels=LABELS).build(
        ROW | {"payer_name": "Firma", "number": "F" * 101}, line=7
    )

    assert [(e.line, e.field, e.message) for e in row.errors] == [
        (7, "number", "longer than 100 characters")
    ]
