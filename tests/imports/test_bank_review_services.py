"""Confirming, ignoring and restoring a bank credit on review: once, for its own client only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from imports.banking import (
    BankEntryStateError,
    confirm_bank_entry,
    ignore_bank_entry,
    restore_bank_entry,
)
from imports.models import BankEntry, ImportBatch, KnownAccount
from invoices.models import Invoice, Payment
from tests.factories import InvoiceFactory, MembershipFactory, PayerFactory

ACCOUNT = "PL61109010140000071219812874"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def user(tenant):
    return MembershipFactory(tenant=tenant).user


def entry_of(tenant, amount: str = "1230.00", **fields) -> BankEntry:
    batch = ImportBatch.objects.create(tenant=tenant, format="mt940", original_name="s.sta")
    values = {
        "tenant": tenant,
        "batch": batch,
        "external_id": f"REF-{BankEntry.objects.count()}",
        "amount": Decimal(amount),
        "booked_on": datetime.date(2026, 11, 18),
        "title": "przelew",
        "counterparty_account": ACCOUNT,
    }
    return BankEntry.objects.create(**(values | fields))


def test_confirming_an_invoice_books_the_payment_and_remembers_the_account(tenant, user):
    invoice = InvoiceFactory(tenant=tenant, payer=PayerFactory(tenant=tenant))
    entry = entry_of(tenant)

    confirmed = confirm_bank_entry(tenant=tenant, entry=entry, invoice=invoice, user=user)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert (confirmed.state, confirmed.matched_by, confirmed.match_reason) == (
        BankEntry.State.MATCHED,
        user,
        "confirmed",
    )
    assert confirmed.matched_at is not None
    payment = confirmed.payment
    assert (payment.invoice, payment.amount, payment.source) == (invoice, entry.amount, "bank")
    assert payment.paid_on == entry.booked_on
    known = KnownAccount.objects.for_tenant(tenant).get()
    assert (known.account, known.payer, known.shared) == (ACCOUNT, invoice.payer, False)


def test_a_double_click_books_once(tenant, user):
    invoice = InvoiceFactory(tenant=tenant, payer=PayerFactory(tenant=tenant))
    entry = entry_of(tenant, "100.00")

    first = confirm_bank_entry(tenant=tenant, entry=entry, invoice=invoice, user=user)
    second = confirm_bank_entry(tenant=tenant, entry=entry, invoice=invoice, user=user)

    assert first.payment_id == second.payment_id
    assert Payment.objects.for_tenant(tenant).count() == 1
    invoice.refresh_from_db()
    assert invoice.outstanding_amount == Decimal("1130.00")


def test_an_entry_matched_to_something_else_is_not_booked_again(tenant, user):
    payer = PayerFactory(tenant=tenant)
    first, other = InvoiceFactory(payer=payer), InvoiceFactory(payer=PayerFactory(tenant=tenant))
    entry = entry_of(tenant)
    confirm_bank_entry(tenant=tenant, entry=entry, invoice=first, user=user)

    with pytest.raises(BankEntryStateError, match="already matched to"):
        confirm_bank_entry(tenant=tenant, entry=entry, invoice=other, user=user)

    assert Payment.objects.for_tenant(tenant).count() == 1


def test_confirming_a_payer_pays_its_invoice_of_exactly_the_amount(tenant, user):
    payer = PayerFactory(tenant=tenant)
    InvoiceFactory(tenant=tenant, payer=payer, due_date=datetime.date(2026, 10, 2))
    exact = InvoiceFactory(
        tenant=tenant,
        payer=payer,
        gross_amount=Decimal("55.00"),
        due_date=datetime.date(2026, 11, 2),
    )
    entry = entry_of(tenant, "55.00")

    confirmed = confirm_bank_entry(tenant=tenant, entry=entry, payer=payer, user=user)

    assert confirmed.payment.invoice == exact
    exact.refresh_from_db()
    assert exact.status == Invoice.Status.PAID


def test_another_clients_entry_invoice_or_payer_is_refused(tenant, other_tenant, user):
    mine = InvoiceFactory(tenant=tenant, payer=PayerFactory(tenant=tenant))
    theirs = InvoiceFactory(tenant=other_tenant, payer=PayerFactory(tenant=other_tenant))
    their_entry = entry_of(other_tenant)

    with pytest.raises(ValidationError, match="another client"):
        confirm_bank_entry(tenant=tenant, entry=their_entry, invoice=mine, user=user)
    with pytest.raises(ValidationError, match="another client"):
        confirm_bank_entry(tenant=tenant, entry=entry_of(tenant), invoice=theirs, user=user)
    with pytest.raises(ValidationError, match="another client"):
        ignore_bank_entry(tenant=tenant, entry=their_entry, user=user)

    assert not Payment.objects.exists()
    assert BankEntry.objects.get(pk=their_entry.pk).state == BankEntry.State.UNMATCHED


def test_a_settled_invoice_or_another_currency_is_refused_with_the_reason(tenant, user):
    payer = PayerFactory(tenant=tenant)
    paid = InvoiceFactory(tenant=tenant, payer=payer, number="FV/9/2026")
    Invoice.objects.filter(pk=paid.pk).update(
        status=Invoice.Status.PAID, outstanding_amount=Decimal("0")
    )
    euro = InvoiceFactory(tenant=tenant, payer=payer, number="FV/10/2026", currency="EUR")
    entry = entry_of(tenant)

    with pytest.raises(ValidationError, match="FV/9/2026 is paid"):
        confirm_bank_entry(tenant=tenant, entry=entry, invoice=Invoice.objects.get(pk=paid.pk))
    with pytest.raises(ValidationError, match="FV/10/2026 is in EUR, the credit in PLN"):
        confirm_bank_entry(tenant=tenant, entry=entry, invoice=euro)

    assert BankEntry.objects.get(pk=entry.pk).state == BankEntry.State.UNMATCHED


def test_ignore_records_who_and_when_and_undo_restores_it(tenant, user):
    entry = entry_of(tenant)

    ignored = ignore_bank_entry(tenant=tenant, entry=entry, user=user)
    again = ignore_bank_entry(tenant=tenant, entry=entry, user=user)

    assert (ignored.state, ignored.ignored_by) == (BankEntry.State.IGNORED, user)
    assert again.ignored_at == ignored.ignored_at  # the second click changes nothing
    with pytest.raises(BankEntryStateError, match="ignored"):
        confirm_bank_entry(tenant=tenant, entry=entry, payer=PayerFactory(tenant=tenant))

    restored = restore_bank_entry(tenant=tenant, entry=entry)

    assert (restored.state, restored.ignored_by, restored.ignored_at) == ("unmatched", None, None)


def test_a_matched_entry_cannot_be_ignored(tenant, user):
    entry = entry_of(tenant)
    confirm_bank_entry(tenant=tenant, entry=entry, payer=PayerFactory(tenant=tenant), user=user)

    with pytest.raises(BankEntryStateError, match="already booked"):
        ignore_bank_entry(tenant=tenant, entry=entry, user=user)
    with pytest.raises(BankEntryStateError, match="already booked"):
        restore_bank_entry(tenant=tenant, entry=entry)


def test_an_account_confirmed_for_a_second_payer_becomes_shared(tenant, user):
    first, second = PayerFactory(tenant=tenant), PayerFactory(tenant=tenant)
    confirm_bank_entry(tenant=tenant, entry=entry_of(tenant), payer=first, user=user)
    confirm_bank_entry(tenant=tenant, entry=entry_of(tenant), payer=second, user=user)

    known = KnownAccount.objects.for_tenant(tenant).get()
    assert (known.payer, known.shared) == (first, True)
