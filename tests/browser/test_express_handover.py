"""A finance user hands over an express invoice with its PDF in a real browser and downloads the
PDF back from the invoice's page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from config.celery import app
from invoices.models import Invoice
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, PayerFactory, TenantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_express_hand_over_with_its_pdf(page: Page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    tenant = TenantFactory()
    payer = PayerFactory(tenant=tenant, name="Hurtownia Nowak")
    user = MembershipFactory(tenant=tenant).user
    invoice_pdf = tmp_path / "FV-12-2026.pdf"
    invoice_pdf.write_bytes(PDF)
    page.goto(f"{live_server.url}/invoices/new/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()

    page.select_option("select[name=payer]", str(payer.id))
    page.fill("input[name=number]", "FV/12/2026")
    page.fill("input[name=issue_date]", "2026-10-01")
    page.fill("input[name=due_date]", "2026-10-31")
    page.fill("input[name=gross_amount]", "1845.00")
    expect(page.locator("input[name=monitoring][value=express]")).to_be_checked()
    page.set_input_files("input[name=document]", str(invoice_pdf))
    # (A full-page screenshot here would resize the page under the next click.)
    page.get_by_role("button", name="Przekaż do monitoringu").click()

    invoice_link = page.locator("a[href$='/document.pdf']")
    expect(invoice_link).to_be_visible(timeout=30_000)
    page.screenshot(path="test-artifacts/express_handover_done.png", full_page=True)
    invoice = Invoice.objects.for_tenant(tenant).get()
    assert invoice.monitoring_mode == Invoice.MonitoringMode.SINGLE
    pdf = page.request.get(live_server.url + invoice_link.get_attribute("href"))
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.body() == PDF
    app.control.purge()  # the express plan queued for a worker this test does not run
