"""The client's review list of unmatched bank credits: suggestions, one-click confirmation,
assignment by invoice number, ignore and undo — for its own entries only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from imports.models import BankEntry, ImportBatch
from invoices.models import Invoice, Payment
from tests.factories import DEFAULT_PASSWORD, InvoiceFactory, MembershipFactory, PayerFactory
from tests.imports.conftest import BANK, FEED

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_of(tenant) -> Client:
    """A finance user's browser, in English (messages are compared in their source text)."""
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.login(email=MembershipFactory(tenant=tenant).user.email, password=DEFAULT_PASSWORD)
    return browser


def entry_of(tenant, amount: str = "1230.00", title: str = "przelew", **fields) -> BankEntry:
    batch = ImportBatch.objects.create(tenant=tenant, format="mt940", original_name="s.sta")
    values = {
        "tenant": tenant,
        "batch": batch,
        "external_id": f"REF-{BankEntry.objects.count()}",
        "amount": Decimal(amount),
        "booked_on": datetime.date(2026, 11, 18),
        "title": title,
        "counterparty_name": "Jan Kowalski",
        "counterparty_account": "PL61109010140000071219812874",
    }
    return BankEntry.objects.create(**(values | fields))


def confirm_url(entry: BankEntry) -> str:
    return reverse("imports:bank_entry_confirm", args=[entry.pk])


def test_the_statement_credit_nothing_matched_waits_with_its_suggestions(swiezak, run_import):
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    run_import(swiezak, BANK / "statement_camt053.xml")
    payer = PayerFactory(tenant=swiezak, name="Jan Kowalski")
    InvoiceFactory(payer=payer, number="FV/2026/11/0099", gross_amount=Decimal("123.45"))
    browser = client_of(swiezak)

    page = browser.get(reverse("imports:bank_entries"))

    assert page.status_code == 200
    rows = page.context["rows"]
    assert [entry.title for entry, _suggestions in rows] == ["ZWROT KAUCJI"]
    _entry, suggestions = rows[0]
    assert suggestions[0].invoice.number == "FV/2026/11/0099"
    assert b"Confirm FV/2026/11/0099" in page.content
    assert b"the amount equals the outstanding PLN" in page.content
    imports_page = browser.get(reverse("imports:list")).content.decode()
    assert 'data-count="bank-entries">1</span>' in imports_page  # on the page and in the menu
    assert imports_page.count(reverse("imports:bank_entries")) == 2


def test_one_click_confirms_and_the_row_goes_away(tenant):
    invoice = InvoiceFactory(payer=PayerFactory(tenant=tenant), number="FV/12/2026")
    entry = entry_of(tenant, title="FV 12/2026")
    browser = client_of(tenant)

    response = browser.post(confirm_url(entry), {"invoice": invoice.pk}, **HTMX)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<tr" not in body  # the row is swapped for nothing
    assert reverse("invoices:detail", args=[invoice.pk]) in body
    assert 'id="review-count" hx-swap-oob="true">0<' in body
    invoice.refresh_from_db()
    entry.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert entry.state == BankEntry.State.MATCHED and entry.matched_by is not None


def test_a_double_click_books_the_payment_once(tenant):
    invoice = InvoiceFactory(payer=PayerFactory(tenant=tenant))
    entry = entry_of(tenant, "100.00")
    browser = client_of(tenant)

    for _click in range(2):
        assert browser.post(confirm_url(entry), {"invoice": invoice.pk}, **HTMX).status_code == 200

    assert Payment.objects.for_tenant(tenant).count() == 1


def test_without_htmx_a_confirmation_redirects_back_with_a_message(tenant):
    payer = PayerFactory(tenant=tenant, name="Kwiaciarnia Różana")
    entry = entry_of(tenant)
    browser = client_of(tenant)

    response = browser.post(confirm_url(entry), {"payer": payer.pk}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("imports:bank_entries")
    assert "booked to Kwiaciarnia Różana" in response.content.decode()


def test_assign_to_another_invoice_found_by_its_number(tenant):
    payer = PayerFactory(tenant=tenant)
    wanted = InvoiceFactory(payer=payer, number="FV/12/2026")
    InvoiceFactory(payer=payer, number="FV/13/2026")
    entry = entry_of(tenant, "10.00", title="zwrot")
    browser = client_of(tenant)

    found = browser.get(
        reverse("imports:bank_entry_search", args=[entry.pk]), {"number": "fv 12/2026"}, **HTMX
    )
    nothing = browser.get(
        reverse("imports:bank_entry_search", args=[entry.pk]), {"number": "FV/99/2026"}, **HTMX
    )

    assert [invoice.number for invoice in found.context["invoices"]] == ["FV/12/2026"]
    assert b"Assign to FV/12/2026" in found.content
    assert "No unsettled invoice in PLN has a number like" in nothing.content.decode()
    browser.post(confirm_url(entry), {"invoice": wanted.pk}, **HTMX)
    assert BankEntry.objects.get(pk=entry.pk).payment.invoice == wanted


def test_ignore_shows_undo_and_the_ignored_list_says_who(tenant):
    entry = entry_of(tenant, title="ZWROT KAUCJI")
    browser = client_of(tenant)

    ignored = browser.post(reverse("imports:bank_entry_ignore", args=[entry.pk]), **HTMX)

    assert 'data-state="ignored"' in ignored.content.decode() and b"Undo" in ignored.content
    assert browser.get(reverse("imports:bank_entries")).context["rows"] == []
    listed = browser.get(reverse("imports:bank_entries"), {"state": "ignored"})
    assert b"ZWROT KAUCJI" in listed.content
    assert entry_of_db(entry).ignored_by.email.encode() in listed.content

    restored = browser.post(reverse("imports:bank_entry_restore", args=[entry.pk]), **HTMX)

    assert 'data-state="unmatched"' in restored.content.decode()
    assert entry_of_db(entry).state == BankEntry.State.UNMATCHED


def entry_of_db(entry: BankEntry) -> BankEntry:
    return BankEntry.objects.select_related("ignored_by").get(pk=entry.pk)


@pytest.mark.parametrize(
    "data",
    [{"invoice": "abc"}, {}, {"invoice": "1", "payer": "1"}, {"invoice": str(2**70)}],
    ids=["not-a-number", "nothing", "both", "too-big"],
)
def test_bad_input_shows_the_reason_in_the_row(tenant, data):
    entry = entry_of(tenant)

    response = client_of(tenant).post(confirm_url(entry), data, **HTMX)

    assert response.status_code == 200
    assert b'class="errorlist"' in response.content
    assert entry_of_db(entry).state == BankEntry.State.UNMATCHED


def test_an_entry_already_matched_elsewhere_says_so(tenant):
    payer = PayerFactory(tenant=tenant)
    first, second = InvoiceFactory(payer=payer), InvoiceFactory(payer=payer)
    entry = entry_of(tenant)
    browser = client_of(tenant)
    browser.post(confirm_url(entry), {"invoice": first.pk}, **HTMX)

    response = browser.post(confirm_url(entry), {"invoice": second.pk}, **HTMX)

    assert b"already matched to" in response.content
    assert b"Already booked as a payment." in response.content


def test_another_clients_entries_and_invoices_are_not_found(tenant, other_tenant):
    entry = entry_of(tenant, title="FV/1/2026 tajny")
    their_invoice = InvoiceFactory(payer=PayerFactory(tenant=other_tenant))
    intruder = client_of(other_tenant)
    owner = client_of(tenant)
    invoice = InvoiceFactory(payer=PayerFactory(tenant=tenant))

    assert intruder.post(confirm_url(entry), {"invoice": invoice.pk}).status_code == 404
    for name in ("bank_entry_ignore", "bank_entry_restore"):
        assert intruder.post(reverse(f"imports:{name}", args=[entry.pk])).status_code == 404
    search = reverse("imports:bank_entry_search", args=[entry.pk])
    assert intruder.get(search, {"number": "1"}).status_code == 404
    assert b"tajny" not in intruder.get(reverse("imports:bank_entries")).content
    # The owner of the entry naming another client's invoice or payer:
    assert owner.post(confirm_url(entry), {"invoice": their_invoice.pk}).status_code == 404
    assert owner.post(confirm_url(entry), {"payer": their_invoice.payer_id}).status_code == 404
    assert entry_of_db(entry).state == BankEntry.State.UNMATCHED
    assert not Payment.objects.exists()


def test_a_full_page_costs_a_bounded_number_of_queries(tenant, django_assert_max_num_queries):
    payer = PayerFactory(tenant=tenant, name="Jan Kowalski")
    for index in range(25):
        InvoiceFactory(payer=payer, number=f"FV/{index}/2026")
        entry_of(tenant, title=f"FV/{index}/2026")
    browser = client_of(tenant)
    browser.get(reverse("imports:bank_entries"))  # session and user are loaded once

    with django_assert_max_num_queries(14):  # the same for 1 row or 20
        page = browser.get(reverse("imports:bank_entries"))

    assert len(page.context["rows"]) == 20
    assert page.context["page"].paginator.count == 25
