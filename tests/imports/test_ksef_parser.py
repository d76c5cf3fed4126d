"""KSeF FA(2)/FA(3) invoices become invoices with their buyer; the seller must be the client."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from imports.parsers import ksef
from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.parsers.xml_safety import UnsafeXml

DATA = Path(__file__).parent / "data" / "ksef"
D = datetime.date


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(data: bytes, *, seller: str, name: str = "") -> list[ParsedRow]:
    stream = io.BytesIO(data)
    if name:
        stream.name = name
    return list(ksef.parse(stream, context=ParseContext(tenant_nip=seller)))


def only_record(data: bytes, *, seller: str, name: str = ""):
    [row] = parse(data, seller=seller, name=name)
    assert row.record is not None, row.errors
    return row.record


# (file, seller, number, issue, gross, currency, due, outstanding, paid_on, payer id, buyer NIP)
SAMPLES = [
    (
        "fa2_podstawowa_FA_2_Przyklad_19.xml",
        "9999999999",
        "FM2022/02/150",
        D(2022, 1, 27),
        "3000",
        "PLN",
        None,
        None,
        None,
        "1111111111",
        "1111111111",
    ),
    (
        "fa2_podstawowa_FA_2_Przyklad_9.xml",
        "9999999999",
        "FV2022/02/150",
        D(2022, 2, 15),
        "2760",
        "PLN",
        D(2022, 3, 15),
        None,
        None,
        "fdfd778343",
        "1111111111",
    ),
    (
        "fa3_podstawowa_FA_3_Przyklad_1.xml",
        "6891152920",
        "llcdpk88gk-2025-06-24",
        D(2025, 11, 13),
        "4001.49",
        "PLN",
        None,
        None,
        None,
        "12345",
        "3935777054",
    ),
    (
        "fa3_podstawowa_FA_3_complex.xml",
        "5451824119",
        "FA/2025/12/001",
        D(2026, 1, 15),
        "5962.00",
        "PLN",
        D(2025, 12, 30),
        "0",
        D(2025, 12, 15),
        "KLIENT-001",
        "3935777054",
    ),
    (
        "fa3_podstawowa_FA_3_Przyklad_WZ.xml",
        "5451824119",
        "1231/23/133211/21",
        D(2026, 1, 31),
        "3497215.95",
        "PLN",
        D(2026, 1, 31),
        "0",
        D(2025, 12, 31),
        "1111111111",
        "1111111111",
    ),
    (
        "fa3_podstawowa_FA_3_Przyklad_4_EUR.xml",
        "5451824119",
        "15/2024",
        D(2025, 12, 4),
        "123",
        "EUR",
        None,
        "0",
        D(2025, 3, 1),
        "1111111111",
        "1111111111",
    ),
    (
        "fa3_podstawowa_FA_3_przyklad_rachunek_bankowy_faktora.xml",
        "1111111111",
        "5t4343trgfds",
        D(2026, 2, 11),
        "955.71",
        "PLN",
        D(2026, 4, 26),
        None,
        None,
        "1111111111",
        "1111111111",
    ),
]


@pytest.mark.parametrize(
    "name,seller,number,issued,gross,currency,due,outstanding,paid_on,payer_id,buyer_nip", SAMPLES
)
def test_sample_invoices_give_the_values_in_the_xml(
    name, seller, number, issued, gross, currency, due, outstanding, paid_on, payer_id, buyer_nip
):
    invoice = only_record(sample(name), seller=seller)

    assert (invoice.external_id, invoice.number) == (number, number)
    assert invoice.issue_date == issued
    assert invoice.gross_amount == Decimal(gross)
    assert invoice.currency == currency
    assert invoice.due_date == due
    assert invoice.outstanding_amount == (None if outstanding is None else Decimal(outstanding))
    assert invoice.paid_on == paid_on
    assert invoice.payer_external_id == invoice.payer.external_id == payer_id
    assert invoice.payer.nip == buyer_nip
    assert not invoice.payer.nip_flagged


def test_buyer_contact_and_address_come_from_podmiot2():
    invoice = only_record(sample("fa3_podstawowa_FA_3_complex.xml"), seller="5451824119")

    payer = invoice.payer
    assert payer.name == "XYZ Spółka Cywilna"
    assert (payer.street, payer.postal_code, payer.city) == ("ul. Testowa 456", "30-001", "Kraków")
    assert payer.emails == ["biuro@xyz.pl"]
    assert payer.phones == ["+48987654321"]


def test_address_with_postal_code_only_in_the_first_line_is_split():
    invoice = only_record(
        sample("fa3_podstawowa_FA_3_przyklad_rachunek_bankowy_faktora.xml"), seller="1111111111"
    )

    payer = invoice.payer
    assert (payer.street, payer.postal_code, payer.city) == (
        "ul. Test-Wilcza 1 Nowy Sącz",
        "33-300",
        "Nowy Sącz",
    )


def test_invoice_of_another_seller_gives_an_error_and_no_record():
    [row] = parse(sample("fa3_podstawowa_FA_3_complex.xml"), seller="PL 793-674-81-86")

    assert row.record is None
    assert row.line == 1
    [error] = row.errors
    assert error.field == "Podmiot1/NIP"
    assert error.message == "the seller NIP 5451824119 is not this client's NIP 7936748186"


def test_correction_sample_keeps_the_buyer_nip_failing_its_checksum_with_a_warning():
    [row] = parse(sample("fa3_korygujaca_FA_3_Przyklad_1.xml"), seller="1234567890")

    invoice = row.record
    assert invoice.corrects_number == "29903413"
    assert invoice.gross_amount == Decimal("0.00")
    assert invoice.due_date == D(2024, 4, 2)
    assert invoice.payer.nip == "1234560670"
    assert invoice.payer.nip_flagged
    assert invoice.payer.external_id == "16280"
    [warning] = row.errors
    assert warning.field == "Podmiot2/NIP"
    assert warning.message.startswith("warning:")
    assert "1234560670" in warning.message


def test_buyer_nip_with_wrong_check_digit_is_kept_and_flagged():
    data = sample("fa2_podstawowa_FA_2_Przyklad_9.xml").replace(
        b"<NIP>1111111111</NIP>\n\t\t\t<Nazwa>Gmina", b"<NIP>526-000-12-47</NIP><Nazwa>Gmina"
    )

    [row] = parse(data, seller="9999999999")

    assert row.record.payer.nip == "5260001247"
    assert row.record.payer.nip_flagged
    assert [e.message.split(":")[0] for e in row.errors] == ["warning"]


def test_correction_with_a_negative_total_keeps_the_sign():
    data = sample("fa3_korygujaca_FA_3_Przyklad_1.xml").replace(
        b"<P_15>0.00</P_15>", b"<P_15>-123.45</P_15>"
    )

    invoice = parse(data, seller="1234567890")[0].record

    assert invoice.gross_amount == Decimal("-123.45")
    assert invoice.corrects_number == "29903413"


def test_the_earliest_of_several_due_dates_applies():
    data = sample("fa2_podstawowa_FA_2_Przyklad_9.xml").replace(
        b"<TerminPlatnosci>",
        b"<TerminPlatnosci><Termin>2022-04-30</Termin></TerminPlatnosci>"
        b"<TerminPlatnosci><Termin>2022-03-01</Termin></TerminPlatnosci><TerminPlatnosci>",
        1,
    )

    assert only_record(data, seller="9999999999").due_date == D(2022, 3, 1)


def test_bad_amount_and_date_are_reported_per_field():
    data = (
        sample("fa2_podstawowa_FA_2_Przyklad_9.xml")
        .replace(b"<P_15>2760</P_15>", b"<P_15>2 760,00</P_15>")
        .replace(b"<Termin>2022-03-15</Termin>", b"<Termin>15.03.2022</Termin>")
    )

    [row] = parse(data, seller="9999999999")

    assert row.record is None
    assert [(e.field, e.value) for e in row.errors] == [
        ("Fa/P_15", "2 760,00"),
        ("Fa/Platnosc/TerminPlatnosci/Termin", "15.03.2022"),
    ]


def test_file_named_by_its_ksef_number_uses_it_as_external_id():
    name = "5451824119-20260115-0123456789AB-CD.xml"

    invoice = only_record(sample("fa3_podstawowa_FA_3_complex.xml"), seller="5451824119", name=name)

    assert invoice.external_id == "5451824119-20260115-0123456789AB-CD"
    assert invoice.number == "FA/2025/12/001"


def test_zip_of_many_gives_one_row_per_member_with_its_position_and_name():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/complex.xml", sample("fa3_podstawowa_FA_3_complex.xml"))
        zf.writestr("other_seller.xml", sample("fa3_podstawowa_FA_3_Przyklad_1.xml"))
        zf.writestr("truncated.xml", sample("fa3_podstawowa_FA_3_Przyklad_WZ.xml")[:900])
        zf.writestr("readme.txt", b"hello")
        zf.writestr("eur.xml", sample("fa3_podstawowa_FA_3_Przyklad_4_EUR.xml"))

    rows = parse(archive.getvalue(), seller="5451824119")

    assert [row.line for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].record.number == "FA/2025/12/001"
    assert rows[1].record is None
    assert rows[1].errors[0].message.startswith("other_seller.xml: the seller NIP 6891152920")
    assert rows[2].record is None
    assert rows[2].errors[0].message.startswith("truncated.xml: The XML is not well-formed")
    assert rows[3].errors[0].message == "readme.txt: skipped, not an .xml file"
    assert rows[4].record.number == "15/2024"
    assert rows[4].errors[0].message.startswith("eur.xml: warning:")


def test_hostile_member_rejects_the_whole_zip():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("good.xml", sample("fa3_podstawowa_FA_3_complex.xml"))
        zf.writestr("evil.xml", b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')

    with pytest.raises(UnsafeXml) as refused:
        parse(archive.getvalue(), seller="5451824119")
    assert "root:" not in str(refused.value)


def test_truncated_single_xml_is_rejected_with_a_reason():
    with pytest.raises(FileRejected, match="not well-formed"):
        parse(sample("fa3_podstawowa_FA_3_complex.xml")[:2000], seller="5451824119")


def test_xml_that_is_not_an_invoice_is_rejected():
    with pytest.raises(FileRejected, match="not a KSeF invoice"):
        parse(b"<Document xmlns='urn:x'><a/></Document>", seller="5451824119")


def test_a_client_without_nip_cannot_import_ksef():
    with pytest.raises(FileRejected, match="no NIP"):
        parse(sample("fa3_podstawowa_FA_3_complex.xml"), seller="")
