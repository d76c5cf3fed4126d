"""Matching a bank credit by an account the client confirmed before, and by its amount."""

from __future__ import annotations

import datetime
from decimal import Decimal

from imports.banking import remember_account
from imports.matching import match_payment
from imports.models import BankEntry
from imports.parsers.base import PaymentRecord
from invoices.models import Invoice, Payment
from tests.factories import InvoiceFactory, PayerFactory
from tests.imports.conftest import BANK

ACCOUNT = "PL61109010140000071219812874"


def credit(amount: str, **fields) -> PaymentRecord:
    values = {
        "external_id": "REF-1",
        "amount": Decimal(amount),
        "currency": "PLN",
        "paid_on": datetime.date(2026, 11, 18),
        "title": "przelew",
        "counterparty_account": ACCOUNT,
    }
    return PaymentRecord(**(values | fields))


def invoice_of(payer, number: str, amount: str, due: datetime.date) -> Invoice:
    return InvoiceFactory(
        payer=payer,
        number=number,
        gross_amount=Decimal(amount),
        issue_date=due - datetime.timedelta(days=14),
        due_date=due,
    )


def test_a_credit_from_a_known_account_pays_the_invoice_of_exactly_its_amount(tenant):
    payer = PayerFactory(tenant=tenant)
    invoice_of(payer, "FV/1/2026", "500.00", datetime.date(2026, 10, 1))
    exact = invoice_of(payer, "FV/2/2026", "1230.00", datetime.date(2026, 11, 1))
    remember_account(tenant=tenant, account="61 1090 1014 0000 0712 1981 2874", payer=payer)

    match = match_payment(tenant=tenant, record=credit("1230.00"))

    assert (match.payer, match.invoice, match.reason) == (payer, exact, "account")


def test_without_an_invoice_of_that_amount_the_payer_pays_oldest_first(tenant):
    payer = PayerFactory(tenant=tenant)
    for number, due in (
        ("FV/1/2026", datetime.date(2026, 10, 1)),
        ("FV/2/2026", datetime.date(2026, 11, 1)),
    ):
        invoice_of(payer, number, "1230.00", due)
    remember_account(tenant=tenant, account=ACCOUNT, payer=payer)

    two_equal = match_payment(tenant=tenant, record=credit("1230.00"))
    no_equal = match_payment(tenant=tenant, record=credit("99.00"))

    # Two invoices owe exactly the amount: which one is not guessed, the oldest is paid first.
    assert (two_equal.payer, two_equal.invoice) == (payer, None)
    assert (no_equal.payer, no_equal.invoice) == (payer, None)


def test_an_account_confirmed_for_two_payers_matches_nobody(tenant):
    first, second = PayerFactory(tenant=tenant), PayerFactory(tenant=tenant)
    remember_account(tenant=tenant, account=ACCOUNT, payer=first)
    known = remember_account(tenant=tenant, account=ACCOUNT, payer=second)

    assert known.shared and known.payer == first
    assert match_payment(tenant=tenant, record=credit("10.00")) is None


def test_the_title_and_the_nip_come_before_the_account(tenant):
    by_account = PayerFactory(tenant=tenant)
    by_nip = PayerFactory(tenant=tenant)
    named = invoice_of(
        PayerFactory(tenant=tenant), "FV/77/2026", "10.00", datetime.date(2026, 11, 1)
    )
    remember_account(tenant=tenant, account=ACCOUNT, payer=by_account)

    assert (
        match_payment(tenant=tenant, record=credit("10.00", counterparty_nip=by_nip.nip)).payer
        == by_nip
    )
    titled = match_payment(tenant=tenant, record=credit("10.00", invoice_numbers=["FV/77/2026"]))
    assert (titled.invoice, titled.reason) == (named, "title")


def test_a_known_account_of_another_client_matches_nothing(tenant, other_tenant):
    remember_account(tenant=other_tenant, account=ACCOUNT, payer=PayerFactory(tenant=other_tenant))
    assert match_payment(tenant=tenant, record=credit("10.00")) is None


def test_a_nip_match_pays_the_invoice_of_exactly_the_amount_not_the_oldest(tenant):
    payer = PayerFactory(tenant=tenant)
    oldest = invoice_of(payer, "FV/1/2026", "700.00", datetime.date(2026, 9, 1))
    exact = invoice_of(payer, "FV/2/2026", "300.00", datetime.date(2026, 11, 1))

    match = match_payment(tenant=tenant, record=credit("300.00", counterparty_nip=payer.nip))

    assert (match.invoice, match.reason) == (exact, "nip")
    assert oldest.pk != exact.pk


def test_a_statement_credit_from_a_remembered_account_is_booked_on_import(swiezak, run_import):
    # The PKO statement's "ZWROT KAUCJI" credit (123,45 zł) comes from this account and names
    # no invoice; once the client confirmed the account for a payer, it matches by itself.
    payer = PayerFactory(tenant=swiezak, name="Jan Kowalski")
    invoice_of(payer, "FV/1/2026", "1000.00", datetime.date(2026, 10, 1))
    exact = invoice_of(payer, "FV/2/2026", "123.45", datetime.date(2026, 11, 10))
    remember_account(tenant=swiezak, account=ACCOUNT, payer=payer)

    run_import(swiezak, BANK / "statement_pko_structured_cp1250.sta")

    entry = BankEntry.objects.for_tenant(swiezak).get(counterparty_account=ACCOUNT)
    assert (entry.state, entry.match_reason) == (BankEntry.State.MATCHED, "account")
    assert entry.matched_by is None and entry.matched_at is not None
    exact.refresh_from_db()
    assert exact.status == Invoice.Status.PAID
    assert Payment.objects.for_tenant(swiezak).get(payer=payer).invoice == exact


def test_a_title_finds_its_invoice_among_hundreds_sharing_the_year(tenant):
    payer = PayerFactory(tenant=tenant)
    for index in range(250):  # more than the candidates the database returns per fragment
        invoice_of(payer, f"FV/2026/10/{index:04d}", "10.00", datetime.date(2026, 10, 1))

    match = match_payment(
        tenant=tenant, record=credit("10.00", invoice_numbers=["FV/2026/10/0249"])
    )

    assert (match.invoice.number, match.reason) == ("FV/2026/10/0249", "title")
