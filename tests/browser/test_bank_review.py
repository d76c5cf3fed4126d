"""A finance user opens the review list after a bank statement was imported, confirms the top
suggestion of a credit nothing matched with one click; the row goes away and the invoice shows
the payment."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from imports.models import BankEntry, ImportBatch
from imports.processing import process_batch
from imports.services import create_batch
from invoices.models import Invoice
from tests.factories import (
    DEFAULT_PASSWORD,
    InvoiceFactory,
    MembershipFactory,
    PayerFactory,
    TenantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATEMENT = (
    Path(__file__).resolve().parents[1]
    / "imports"
    / "data"
    / "bank"
    / "statement_pko_structured_cp1250.sta"
)


def test_one_click_on_the_top_suggestion_books_the_credit(
    page: Page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    tenant = TenantFactory(slug="swiezak", nip="7936748186", iban="PL21437780138749813784624885")
    user = MembershipFactory(tenant=tenant).user
    payer = PayerFactory(tenant=tenant, name="Jan Kowalski")
    invoice = InvoiceFactory(
        payer=payer,
        number="FV/2026/11/0099",
        gross_amount=Decimal("123.45"),
        due_date=datetime.date(2026, 11, 16),
    )
    batch = create_batch(
        tenant=tenant,
        uploaded=io.BytesIO(STATEMENT.read_bytes()),
        original_name=STATEMENT.name,
        channel=ImportBatch.Channel.CLI,
        enqueue=False,
    )
    process_batch(batch=batch)
    # "ZWROT KAUCJI", 123,45 zł from Jan Kowalski's account, names no invoice: it waits.
    entry = BankEntry.objects.for_tenant(tenant).get(title="ZWROT KAUCJI")
    assert entry.state == BankEntry.State.UNMATCHED

    page.goto(f"{live_server.url}/imports/bank-entries/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()

    row = page.locator(f"#bank-entry-{entry.pk}")
    expect(row.locator("li.suggestion").first).to_contain_text("FV/2026/11/0099")
    waiting = page.locator("#review-count").inner_text()
    page.screenshot(path="test-artifacts/bank_review_list.png", full_page=True)
    row.locator("li.suggestion button").first.click()

    expect(row).to_have_count(0)
    expect(page.locator("#review-count")).to_have_text(str(int(waiting) - 1))
    page.screenshot(path="test-artifacts/bank_review_confirmed.png", full_page=True)
    page.locator("#review-messages a").click()
    expect(page).to_have_url(f"{live_server.url}/invoices/{invoice.pk}/")
    expect(page.locator("main")).to_contain_text("ZWROT KAUCJI")
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID


def test_ignore_swaps_the_row_and_undo_brings_it_back(page: Page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tenant = TenantFactory()
    user = MembershipFactory(tenant=tenant).user
    batch = create_batch(
        tenant=tenant,
        uploaded=io.BytesIO(STATEMENT.read_bytes()),
        original_name=STATEMENT.name,
        channel=ImportBatch.Channel.CLI,
        enqueue=False,
    )
    process_batch(batch=batch)
    entry = BankEntry.objects.for_tenant(tenant).get(title="ZWROT KAUCJI")
    page.goto(f"{live_server.url}/imports/bank-entries/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    row = page.locator(f"#bank-entry-{entry.pk}")
    waiting = int(page.locator("#review-count").inner_text())

    row.locator("form[action$=ignore] button").click()

    expect(row).to_have_attribute("data-state", "ignored")
    expect(page.locator("#review-count")).to_have_text(str(waiting - 1))
    expect(page.locator("#nav-review-count")).to_have_text(str(waiting - 1))
    row.locator("form[action$=restore] button").click()
    expect(row).to_have_attribute("data-state", "unmatched")
    expect(page.locator("#review-count")).to_have_text(str(waiting))
    assert BankEntry.objects.get(pk=entry.pk).state == BankEntry.State.UNMATCHED
