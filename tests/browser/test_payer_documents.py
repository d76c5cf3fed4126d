"""In a real browser the payer page loads its documents section (htmx) and the PDF downloads;
the letter batch page polls until the batch is finished, then shows the summary."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dunning.documents.services import render_document
from dunning.models import LetterBatch
from tests.dunning import letters
from tests.factories import DEFAULT_PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_server, tenant, path: str) -> None:
    user = MembershipFactory(tenant=tenant).user
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_payer_page_lists_and_downloads_the_demand(page: Page, live_server):
    letters.ensure_interest_rates()
    tenant = letters.client()
    letters.store_nbp_rates()
    payer = letters.debtor(tenant)
    letters.overdue_invoices(payer)
    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)

    log_in(page, live_server, tenant, f"/payers/{payer.pk}/")

    section = page.locator("#payer-documents")
    expect(section).to_contain_text(document.sha256[:12])
    page.screenshot(path="test-artifacts/payer_documents.png", full_page=True)
    with page.expect_download() as download_info:
        section.locator("a[href$='/pdf/']").click()
    with open(download_info.value.path(), "rb") as stream:
        assert stream.read(4) == b"%PDF"


def test_batch_page_polls_until_finished(page: Page, live_server):
    tenant = letters.client()
    batch = LetterBatch.objects.create(tenant=tenant, day=letters.DAY, total=3, rendered=1)

    log_in(page, live_server, tenant, f"/client/documents/batches/{batch.pk}/")
    expect(page.locator("#batch-status progress")).to_have_count(1)
    LetterBatch.objects.filter(pk=batch.pk).update(rendered=2, failed=1, finished_at=timezone.now())

    expect(page.locator("#batch-status progress")).to_have_count(0)
    expect(page.locator("#batch-status")).to_contain_text("2")
    page.screenshot(path="test-artifacts/letter_batch.png", full_page=True)
