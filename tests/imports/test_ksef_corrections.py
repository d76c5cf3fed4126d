"""KSeF corrections (KOR) change the invoice they correct, once, whatever is re-imported."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from imports.models import ImportBatch
from invoices.models import Invoice, InvoiceCorrection, Source
from invoices.services import correct_invoice, record_payment
from tests.imports.conftest import DATA

SELLER = "7936748186"  # the swiezak fixture's NIP
CORRECTED_KSEF = "5210415750-20250310-FF4861C9CC3F-BA"
KOR_SAMPLE = (DATA / "ksef" / "fa3_korygujaca_FA_3_Przyklad_1.xml").read_bytes()


def correction(delta: str, *, number: str = "KOR/1/2025", currency: str = "PLN") -> bytes:
    """The ministry's KOR sample, sold by our client, correcting invoice 29903413 by `delta`."""
    data = KOR_SAMPLE.replace(b"<NIP>1234567890</NIP>", f"<NIP>{SELLER}</NIP>".encode())
    data = data.replace(b"+31123569368", b"+48601234567")
    data = data.replace(b"<P_15>0.00</P_15>", f"<P_15>{delta}</P_15>".encode())
    data = data.replace(b"<P_2>29903413</P_2>", f"<P_2>{number}</P_2>".encode())
    return data.replace(
        b"<KodWaluty>PLN</KodWaluty>", f"<KodWaluty>{currency}</KodWaluty>".encode()
    )


def original(gross: str = "1000.00") -> bytes:
    """The invoice the sample corrects: the same document as a plain VAT invoice."""
    data = correction(gross, number="29903413")
    data = data.replace(
        b"<RodzajFaktury>KOR</RodzajFaktury>", b"<RodzajFaktury>VAT</RodzajFaktury>"
    )
    return re.sub(rb"<DaneFaKorygowanej>.*?</DaneFaKorygowanej>", b"", data, flags=re.S)


@pytest.fixture(autouse=True)
def english():
    """Messages the ledger writes are compared in English."""
    with translation.override("en"):
        yield


@pytest.fixture
def corrected_invoice(swiezak, run_import):
    """Invoice 29903413 for 1000.00, imported from a file named by its KSeF number."""
    batch = run_import(swiezak, original(), f"{CORRECTED_KSEF}.xml")
    assert batch.status == ImportBatch.Status.DONE, batch.summary
    return Invoice.objects.for_tenant(swiezak).get(external_id=CORRECTED_KSEF)


def test_a_reducing_correction_lowers_the_gross_and_what_is_owed(
    swiezak, run_import, corrected_invoice
):
    batch = run_import(swiezak, correction("-123.45"), "kor.xml")

    invoice = Invoice.objects.get(pk=corrected_invoice.pk)
    assert (invoice.gross_amount, invoice.outstanding_amount) == (
        Decimal("876.55"),
        Decimal("876.55"),
    )
    assert invoice.status == Invoice.Status.OPEN
    assert (batch.created_count, batch.rejected_count) == (1, 0)
    assert "1 correction (KOR) applied to the invoice it corrects." in batch.summary
    [kor] = InvoiceCorrection.objects.for_tenant(swiezak)
    assert (kor.number, kor.gross_delta, kor.source) == ("KOR/1/2025", Decimal("-123.45"), "ksef")


def test_a_correction_received_again_is_not_applied_twice(swiezak, run_import, corrected_invoice):
    run_import(swiezak, correction("-123.45"), "kor.xml")
    again = run_import(swiezak, correction("-123.45"), "kor-resent.xml")

    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 1, 0)
    assert Invoice.objects.get(pk=corrected_invoice.pk).gross_amount == Decimal("876.55")


def test_re_importing_the_original_does_not_undo_its_correction(
    swiezak, run_import, corrected_invoice
):
    run_import(swiezak, correction("-123.45"), "kor.xml")
    again = run_import(swiezak, original(), f"{CORRECTED_KSEF}-again.xml".replace("-again", ""))

    invoice = Invoice.objects.get(pk=corrected_invoice.pk)
    assert invoice.gross_amount == Decimal("876.55")
    assert again.unchanged_count == 1


def test_an_original_and_its_correction_in_one_zip_are_applied_in_order(swiezak, run_import):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{CORRECTED_KSEF}.xml", original())
        zf.writestr("kor.xml", correction("200.00"))

    batch = run_import(swiezak, archive.getvalue(), "ksef.zip")

    invoice = Invoice.objects.for_tenant(swiezak).get(external_id=CORRECTED_KSEF)
    assert (invoice.gross_amount, invoice.outstanding_amount) == (
        Decimal("1200.00"),
        Decimal("1200.00"),
    )
    assert (batch.created_count, batch.rejected_count) == (2, 0)


def test_without_the_ksef_number_the_corrected_invoice_is_found_by_its_number(swiezak, run_import):
    run_import(swiezak, original(), "original.xml")  # external id = the number 29903413

    run_import(swiezak, correction("-100.00"), "kor.xml")

    assert Invoice.objects.for_tenant(swiezak).get(number="29903413").gross_amount == Decimal(
        "900.00"
    )


def test_a_correction_of_an_unknown_invoice_is_rejected_and_says_what_to_do(swiezak, run_import):
    batch = run_import(swiezak, correction("-100.00"), "kor.xml")

    assert (batch.status, batch.rejected_count, batch.created_count) == ("done", 1, 0)
    [error] = batch.row_errors.exclude(field="Podmiot2/NIP")
    assert error.field == "Fa/DaneFaKorygowanej/NrFaKorygowanej"
    assert error.message == (
        "the corrected invoice 29903413 is not in the ledger: import it first, "
        "then this correction again"
    )
    assert not InvoiceCorrection.objects.exists()


def test_a_reduction_below_what_was_paid_leaves_the_payer_overpaid(
    swiezak, run_import, corrected_invoice
):
    record_payment(
        tenant=swiezak,
        payer=corrected_invoice.payer,
        amount=Decimal("950.00"),
        paid_on=datetime.date(2025, 3, 20),
    )

    batch = run_import(swiezak, correction("-100.00"), "kor.xml")

    invoice = Invoice.objects.get(pk=corrected_invoice.pk)
    assert (invoice.gross_amount, invoice.outstanding_amount, invoice.status) == (
        Decimal("900.00"),
        Decimal("0.00"),
        Invoice.Status.PAID,
    )
    assert InvoiceCorrection.objects.get().overpaid_amount == Decimal("50.00")
    assert "1 correction left the payer overpaid." in batch.summary


def test_a_correction_to_zero_cancels_the_invoice(swiezak, run_import, corrected_invoice):
    run_import(swiezak, correction("-1000.00"), "kor.xml")

    invoice = Invoice.objects.get(pk=corrected_invoice.pk)
    assert (invoice.gross_amount, invoice.status) == (Decimal("0.00"), Invoice.Status.CANCELLED)


def test_a_correction_beyond_the_gross_amount_is_rejected(swiezak, run_import, corrected_invoice):
    batch = run_import(swiezak, correction("-1500.00"), "kor.xml")

    [error] = batch.row_errors.exclude(field="Podmiot2/NIP")
    assert error.field == "Fa/P_15"
    assert "more than its gross amount 1000.00" in error.message
    assert Invoice.objects.get(pk=corrected_invoice.pk).gross_amount == Decimal("1000.00")
    assert not InvoiceCorrection.objects.exists()


def test_a_correction_in_another_currency_is_rejected(swiezak, run_import, corrected_invoice):
    batch = run_import(swiezak, correction("-10.00", currency="EUR"), "kor.xml")

    [error] = batch.row_errors.exclude(field="Podmiot2/NIP")
    assert (error.field, error.message) == (
        "Fa/KodWaluty",
        "the correction is in EUR but invoice 29903413 is in PLN",
    )


def test_a_collective_correction_is_refused_with_its_reason(swiezak, run_import, corrected_invoice):
    block = re.search(rb"<DaneFaKorygowanej>.*?</DaneFaKorygowanej>", KOR_SAMPLE, re.S).group(0)
    data = correction("-10.00").replace(block, block + block.replace(b"29903413", b"29903414"))

    batch = run_import(swiezak, data, "kor.xml")

    errors = [(e.field, e.message) for e in batch.row_errors.exclude(field="Podmiot2/NIP")]
    assert errors == [
        (
            "Fa/DaneFaKorygowanej",
            "a collective correction of 2 invoices gives one total for all of them and cannot be "
            "applied automatically; correct each invoice's amount by hand",
        )
    ]
    assert Invoice.objects.get(pk=corrected_invoice.pk).gross_amount == Decimal("1000.00")


def test_the_same_correction_id_with_another_amount_is_refused(swiezak, corrected_invoice):
    arguments = dict(
        tenant=swiezak,
        invoice=corrected_invoice,
        external_id="KOR/7",
        number="KOR/7",
        issue_date=datetime.date(2025, 4, 1),
        source=Source.MANUAL,
    )
    correct_invoice(gross_delta=Decimal("-10.00"), **arguments)

    with pytest.raises(ValidationError) as raised:
        correct_invoice(gross_delta=Decimal("-20.00"), **arguments)

    assert "already applied to invoice 29903413 with -10.00" in str(raised.value)
    assert Invoice.objects.get(pk=corrected_invoice.pk).gross_amount == Decimal("990.00")


def test_an_increase_reopens_a_paid_invoice(swiezak, corrected_invoice):
    record_payment(
        tenant=swiezak,
        payer=corrected_invoice.payer,
        amount=Decimal("1000.00"),
        paid_on=datetime.date(2025, 3, 20),
    )

    correct_invoice(
        tenant=swiezak,
        invoice=corrected_invoice,
        external_id="KOR/8",
        number="KOR/8",
        issue_date=datetime.date(2025, 4, 1),
        gross_delta=Decimal("50.00"),
    )

    invoice = Invoice.objects.get(pk=corrected_invoice.pk)
    assert (invoice.outstanding_amount, invoice.status, invoice.paid_on) == (
        Decimal("50.00"),
        Invoice.Status.PARTIALLY_PAID,
        None,
    )


def test_the_invoice_page_lists_its_corrections(swiezak, run_import, corrected_invoice, client):
    from tests.factories import MembershipFactory

    run_import(swiezak, correction("-123.45"), "kor.xml")
    client.force_login(MembershipFactory(tenant=swiezak).user)

    page = client.get(f"/invoices/{corrected_invoice.pk}/").content.decode()

    assert "KOR/1/2025" in page
    assert "-PLN\xa0123.45" in page  # the client reads English (the swiezak fixture)
