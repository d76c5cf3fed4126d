"""Ranked suggestions for a bank credit waiting for review: reference, amount, party, date."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from imports.banking import remember_account
from imports.models import BankEntry, ImportBatch
from imports.suggestions import suggest, suggestions_for
from invoices.models import Invoice
from tests.factories import InvoiceFactory, PayerFactory

BOOKED = datetime.date(2026, 11, 18)
ACCOUNT = "PL61109010140000071219812874"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def entry_of(tenant, amount: str, title: str = "", **fields) -> BankEntry:
    batch = ImportBatch.objects.create(tenant=tenant, format="mt940", original_name="s.sta")
    values = {
        "tenant": tenant,
        "batch": batch,
        "external_id": f"REF-{BankEntry.objects.count()}",
        "amount": Decimal(amount),
        "booked_on": BOOKED,
        "title": title,
    }
    return BankEntry.objects.create(**(values | fields))


def invoice_of(payer, number: str, amount: str, due=datetime.date(2026, 11, 1), **fields):
    return InvoiceFactory(
        payer=payer,
        number=number,
        gross_amount=Decimal(amount),
        issue_date=due - datetime.timedelta(days=14),
        due_date=due,
        **fields,
    )


def test_the_invoice_the_title_names_comes_first_with_its_reasons(tenant):
    payer = PayerFactory(tenant=tenant, name="Transport Bałtyk s.c.")
    named = invoice_of(payer, "FV/2026/10/0012", "1230.00", due=datetime.date(2026, 11, 16))
    invoice_of(payer, "FV/2026/10/0013", "1230.00", due=datetime.date(2026, 10, 1))
    entry = entry_of(tenant, "1230.00", "Przelew FV nr FV / 2026 / 10 / 0012")

    best = suggest(tenant=tenant, entry=entry)[0]

    assert best.invoice == named
    assert best.reasons == [
        "the title names FV/2026/10/0012",
        "the amount equals the outstanding PLN\xa01,230.00",
        "booked 2 day(s) after the due date 2026-11-16",
    ]


def test_ranking_reference_beats_amount_beats_a_similar_name(tenant):
    bakery = PayerFactory(tenant=tenant, name="Piekarnia Źródło S.A.")
    named = invoice_of(bakery, "FV/2026/11/0011", "900.00")
    same_amount = invoice_of(PayerFactory(tenant=tenant), "FV/2026/11/0020", "500.00")
    entry = entry_of(
        tenant, "500.00", "FV/2026/11/0011 czesc", counterparty_name="PIEKARNIA ZRODLO SA"
    )

    ranked = suggest(tenant=tenant, entry=entry)

    assert [s.invoice for s in ranked[:2]] == [named, same_amount]
    assert ranked[0].score > ranked[1].score
    assert "the sender PIEKARNIA ZRODLO SA resembles Piekarnia Źródło S.A." in ranked[0].reasons
    assert (ranked[2].kind, ranked[2].payer) == ("payer", bakery)  # the payer, oldest first


def test_a_known_account_and_the_sum_of_open_invoices_suggest_the_payer(tenant):
    payer = PayerFactory(tenant=tenant, name="Kwiaciarnia Różana")
    invoice_of(payer, "FV/1/2026", "100.00")
    invoice_of(payer, "FV/2/2026", "250.50")
    remember_account(tenant=tenant, account=ACCOUNT, payer=PayerFactory(tenant=tenant))
    remember_account(tenant=tenant, account="PL10105000997603123456789123", payer=payer)
    entry = entry_of(
        tenant, "350.50", "za towar", counterparty_account="10105000997603123456789123"
    )

    best = suggest(tenant=tenant, entry=entry)[0]

    assert (best.kind, best.payer) == ("payer", payer)
    assert best.reasons == [
        "account PL10105000997603123456789123 was confirmed for Kwiaciarnia Różana before",
        "the amount equals the sum of 2 open invoices, PLN\xa0350.50",
    ]


def test_the_gross_of_a_partly_paid_invoice_and_the_due_date_break_ties(tenant):
    payer = PayerFactory(tenant=tenant)
    far = invoice_of(payer, "FV/1/2026", "800.00", due=datetime.date(2026, 8, 1))
    near = invoice_of(payer, "FV/2/2026", "800.00", due=datetime.date(2026, 11, 17))
    partly = invoice_of(payer, "FV/3/2026", "800.00", outstanding_amount=Decimal("300.00"))
    Invoice.objects.filter(pk=partly.pk).update(status=Invoice.Status.PARTIALLY_PAID)
    entry = entry_of(tenant, "800.00", "zaplata")

    ranked = suggest(tenant=tenant, entry=entry, limit=5)

    assert [s.invoice for s in ranked] == [near, far, partly]
    assert "the amount equals the gross PLN\xa0800.00 (partly paid already)" in ranked[2].reasons


def test_the_title_digits_without_the_series_suggest_the_invoice(tenant):
    invoice = invoice_of(PayerFactory(tenant=tenant), "FV/2026/10/0047", "64.00")
    entry = entry_of(tenant, "10.00", "zaplata 47/10")

    best = suggest(tenant=tenant, entry=entry)[0]

    assert best.invoice == invoice
    assert best.reasons[0] == "the title contains the digits of FV/2026/10/0047"


def test_nothing_resembling_gives_no_suggestion_and_settled_or_foreign_invoices_never(
    tenant, other_tenant
):
    invoice_of(PayerFactory(tenant=other_tenant), "FV/2026/10/0012", "123.45")
    paid = invoice_of(PayerFactory(tenant=tenant), "FV/2026/10/0012", "123.45")
    Invoice.objects.filter(pk=paid.pk).update(
        status=Invoice.Status.PAID, outstanding_amount=Decimal("0.00")
    )
    entry = entry_of(tenant, "123.45", "FV/2026/10/0012", counterparty_name="JAN KOWALSKI")

    assert suggest(tenant=tenant, entry=entry) == []


def test_a_big_ledger_costs_the_same_few_queries(tenant, django_assert_max_num_queries):
    payers = [PayerFactory(tenant=tenant) for _ in range(5)]
    for index in range(300):  # every number holds "2026" and the amount is the same
        invoice_of(payers[index % 5], f"FV/2026/10/{index:04d}", "99.00")
    entries = [entry_of(tenant, "99.00", f"FV/2026/10/{n:04d}") for n in (297, 298, 299)]

    with django_assert_max_num_queries(6):  # however many entries and invoices
        found = suggestions_for(tenant=tenant, entries=entries)

    assert [found[entry.pk][0].invoice.number for entry in entries] == [
        "FV/2026/10/0297",
        "FV/2026/10/0298",
        "FV/2026/10/0299",
    ]
