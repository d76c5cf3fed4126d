"""Payment demands and interest notes as PDF: what the payer reads in them (text extracted with
pypdf), the stamp, the font, and that each letter is rendered once per (payer, kind, day)."""

from __future__ import annotations

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from dunning.documents.services import DocumentError, render_document
from dunning.models import CompensationClaim, Document, DocumentTemplate
from invoices.services import record_payment
from payers.models import Payer
from tests.dunning import letters
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def pdf_text(document: Document) -> tuple[str, PdfReader]:
    with document.file.open("rb") as stream:
        content = stream.read()
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert len(content) == document.size
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # pypdf keeps the no-break spaces of amounts ("4 920,00 zł") and the line breaks: compare
    # with single plain spaces.
    return " ".join(text.replace("\u00a0", " ").split()), reader


@pytest.fixture
def arranged():
    tenant = letters.client()
    letters.store_nbp_rates()
    payer = letters.debtor(tenant)
    invoices = letters.overdue_invoices(payer)
    return tenant, payer, invoices


def test_demand_names_creditor_payer_invoices_interest_totals_and_account(arranged):
    tenant, payer, _invoices = arranged

    document, created = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    text, reader = pdf_text(document)
    assert created and document.pages == len(reader.pages) == 1
    assert "WEZWANIE DO ZAPŁATY" in text
    # Letterhead and payer block, Polish diacritics intact (ąćęłńóśźż all appear below).
    assert "Hurtownia Żółć i Gęś Sp. z o.o." in text
    assert f"NIP: {tenant.nip}" in text
    assert "Przedsiębiorstwo Źródło Ślęża S.A." in text
    assert f"NIP: {payer.nip}" in text
    for letter in "ąćęłńóśźż":
        assert letter in text, letter
    # Invoices with dates and amounts; the one not yet due is not demanded.
    for number in ("FV/101/2026", "FV/117/2026", "FV/130/2026"):
        assert number in text
    assert "FV/150/2026" not in text
    assert "15.10.2026" in text and "01.10.2026" in text
    assert "4 920,00 zł" in text and "10 000,00 zł" in text and "615,00 zł" in text
    # Interest to 4 Dec 2026 at 13.75 % (commercial, 2nd half of 2026), day count / 365:
    # 4,920.00 × 13.75 % × 50 / 365 = 92.6712…; 615.00 × 13.75 % × 14 / 365 = 3.2435…
    # 12,300.00 × 13.75 % × 14 / 365 (3–16 Nov) + 10,000.00 × 13.75 % × 18 / 365 (17 Nov–4 Dec)
    #   = 64.8699… + 67.8082… = 132.68 (the 2,300.00 paid settled principal, as booked).
    assert "92,67 zł" in text and "3,24 zł" in text and "132,68 zł" in text
    interest = Decimal("92.67") + Decimal("132.68") + Decimal("3.24")
    # Compensation: 40 + 70 + 40 EUR at 4.2350 = 169.40 + 296.45 + 169.40 PLN.
    assert "169,40 zł" in text and "296,45 zł" in text
    compensation = Decimal("169.40") + Decimal("296.45") + Decimal("169.40")
    principal = Decimal("4920.00") + Decimal("10000.00") + Decimal("615.00")
    assert "15 535,00 zł" in text
    assert "228,59 zł" in text and interest == Decimal("228.59")
    assert "635,25 zł" in text
    total = principal + interest + compensation
    assert total == Decimal("16398.84") and "16 398,84 zł" in text
    assert document.total_amount == total
    # Where and by when to pay, and what follows if not.
    assert " ".join(tenant.iban[i : i + 4] for i in range(0, 28, 4)) in text
    assert "11 grudnia 2026" in text
    assert "windykacji" in text and "sądowego" in text and "BIG" in text
    assert "monitoring@localhost" in text


def test_compensation_is_claimed_once_per_invoice_across_letters(arranged):
    tenant, payer, invoices = arranged
    render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)
    later = letters.DAY + datetime.timedelta(days=20)

    document, _ = render_document(tenant=tenant, payer=payer, kind="second_demand", day=later)

    claims = CompensationClaim.objects.for_tenant(tenant)
    # The three invoices of the first letter keep their claims of DAY (restated, not claimed
    # again); FV/150/2026, overdue since 14 Dec, is claimed by the later letter.
    assert claims.count() == 4
    assert {claim.invoice_id for claim in claims.filter(claimed_on=letters.DAY)} == {
        invoice.pk for invoice in invoices
    }
    text, _reader = pdf_text(document)
    assert "PONOWNE WEZWANIE DO ZAPŁATY" in text
    assert "804,65 zł" in text  # 635.25 restated + 169.40 for FV/150/2026


def test_english_variant_for_a_payer_who_prefers_english(arranged):
    tenant, _payer, _invoices = arranged
    payer = letters.debtor(tenant, language="en", name="Acme Trading Ltd")
    letters.overdue_invoices(payer)

    document, _ = render_document(tenant=tenant, payer=payer, kind="final_demand", day=letters.DAY)

    text, _reader = pdf_text(document)
    assert document.language == "en"
    assert "FINAL DEMAND FOR PAYMENT" in text
    assert "Acme Trading Ltd" in text and "FV/117/2026" in text
    assert "PLN 16,398.84" in text and "PLN 92.67" in text
    assert "11 December 2026" in text and "debt collection" in text
    assert "WEZWANIE" not in text


def test_the_clients_prevention_stamp_is_drawn_on_the_letter(arranged):
    tenant, payer, _invoices = arranged
    design = letters.stamp(tenant)

    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    text, _reader = pdf_text(document)
    assert "STEMPEL PRÓBNY 7Q" in text  # the stamp's own text line
    assert design.code in text  # the electronic stamp's verification code


def test_no_stamp_without_a_design_and_none_once_revoked(arranged):
    tenant, payer, _invoices = arranged
    design = letters.stamp(tenant)
    design.revoked_at = design.created_at
    design.save()

    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    text, _reader = pdf_text(document)
    assert "STEMPEL PRÓBNY" not in text and design.code not in text


def test_the_text_is_set_in_dejavu_sans(arranged):
    tenant, payer, _invoices = arranged
    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    _text, reader = pdf_text(document)
    fonts = {
        str(font["/BaseFont"])
        for font in reader.pages[0]["/Resources"]["/Font"].get_object().values()
        for font in [font.get_object()]
    }
    assert fonts and all("DejaVu" in name for name in fonts), fonts


def test_each_letter_renders_once_per_payer_kind_and_day(arranged):
    tenant, payer, _invoices = arranged
    first, created = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    again, created_again = render_document(
        tenant=tenant, payer=payer, kind="demand", day=letters.DAY
    )

    assert created and not created_again
    assert again.pk == first.pk and again.sha256 == first.sha256
    assert Document.objects.for_tenant(tenant).count() == 1


def test_interest_note_for_invoices_paid_late(arranged):
    tenant, _payer, _invoices = arranged
    payer = letters.debtor(tenant, external_id="LATE1")
    invoice = InvoiceFactory(
        payer=payer,
        number="FV/88/2026",
        issue_date=datetime.date(2026, 9, 1),
        due_date=datetime.date(2026, 9, 12),  # a Saturday: moves to Monday 14 Sep (art. 115 KC)
        gross_amount=Decimal("8000.00"),
    )
    record_payment(
        tenant=tenant,
        payer=payer,
        amount=Decimal("8000.00"),
        paid_on=datetime.date(2026, 10, 14),
        invoice=invoice,
    )

    document, _ = render_document(tenant=tenant, payer=payer, kind="interest_note", day=letters.DAY)

    text, _reader = pdf_text(document)
    # 15 Sep – 14 Oct = 30 days: 8,000.00 × 13.75 % × 30 / 365 = 90.41; compensation 70 EUR.
    assert "NOTA ODSETKOWA" in text and "FV/88/2026" in text
    assert "14.10.2026" in text and "90,41 zł" in text
    assert "296,45 zł" in text and "386,86 zł" in text
    assert "nie jest fakturą VAT" in text
    assert document.invoice_ids == [invoice.pk]
    # A later note does not claim the same interest again.
    with pytest.raises(DocumentError, match="no invoice paid late"):
        render_document(
            tenant=tenant,
            payer=payer,
            kind="interest_note",
            day=letters.DAY + datetime.timedelta(days=7),
        )


def test_consumer_gets_civil_interest_and_no_compensation(arranged):
    tenant, _payer, _invoices = arranged
    payer = letters.debtor(tenant, kind=Payer.Kind.CONSUMER, name="Jan Wójcik", external_id="C1")
    InvoiceFactory(
        payer=payer,
        number="FV/200/2026",
        issue_date=datetime.date(2026, 10, 20),
        due_date=datetime.date(2026, 11, 3),
        gross_amount=Decimal("1000.00"),
    )

    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    text, _reader = pdf_text(document)
    # Civil rate 9.25 % since 5 Mar 2026: 1,000.00 × 9.25 % × 31 / 365 = 7.86.
    assert "7,86 zł" in text and "art. 481" in text
    assert "Rekompensata" not in text
    assert not CompensationClaim.objects.for_tenant(tenant).exists()


def test_a_payer_with_nothing_overdue_gets_no_letter_and_a_reason(arranged):
    tenant, _payer, _invoices = arranged
    payer = letters.debtor(tenant, external_id="PAID-UP")

    with pytest.raises(DocumentError, match="PAID-UP has no overdue unpaid invoice"):
        render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)
    assert not Document.objects.for_tenant(tenant).exists()


def test_a_client_without_iban_gets_a_specific_error(arranged):
    tenant, payer, _invoices = arranged
    tenant.iban = ""
    tenant.save()

    with pytest.raises(DocumentError, match="no bank account"):
        render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)


def test_a_missing_nbp_rate_is_a_clear_error_not_a_letter_without_compensation(settings):
    settings.NBP_API_URL = "http://127.0.0.1:9/api"  # nothing listens: the fetch fails fast
    tenant = letters.client()
    payer = letters.debtor(tenant)
    letters.overdue_invoices(payer)

    with pytest.raises(DocumentError, match="FV/101/2026: the compensation cannot be computed"):
        render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)
    assert not Document.objects.for_tenant(tenant).exists()


def test_a_clients_own_template_overrides_the_default(arranged):
    tenant, payer, _invoices = arranged
    DocumentTemplate.objects.create(
        tenant=tenant,
        kind="demand",
        language="pl",
        html="<html><head></head><body><h1>Wezwanie klienta {{ letter.payer.name }}</h1>"
        '<img src="file:///etc/passwd"></body></html>',
        css='h1 { font-family: "DejaVu Sans"; color: red }',
    )

    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    text, _reader = pdf_text(document)
    assert "Wezwanie klienta Przedsiębiorstwo Źródło Ślęża S.A." in text
    assert "root:" not in text  # file: URLs are never fetched into a letter
