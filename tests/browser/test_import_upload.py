"""A finance user uploads the ERP export in a real browser; a real worker imports it while the
page polls, and the finished counts and rejected rows appear without a reload."""

from __future__ import annotations

from pathlib import Path

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the test worker)
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from config.celery import app
from invoices.models import Invoice
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, TenantFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FEED = Path(__file__).resolve().parents[1] / "imports" / "data" / "feed"


def test_upload_is_imported_by_the_worker_and_the_page_shows_the_outcome(page: Page, live_server):
    tenant = TenantFactory(slug="swiezak", nip="7936748186")
    user = MembershipFactory(tenant=tenant).user
    page.goto(f"{live_server.url}/imports/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    app.control.purge()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        page.set_input_files("input[name=file]", str(FEED / "broken_values.csv"))
        page.locator("main form button[type=submit]").click()
        expect(page.locator("[data-status]")).to_have_attribute(
            "data-status", "done", timeout=30_000
        )

    expect(page.locator("#batch-status")).to_contain_text("12")
    expect(page.locator("#batch-status table")).to_contain_text("31.02.2026")
    assert Invoice.objects.for_tenant(tenant).count() == 3
    page.screenshot(path="test-artifacts/import_done.png", full_page=True)
