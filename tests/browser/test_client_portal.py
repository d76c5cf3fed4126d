"""A client's finance user logs in in a real browser and sees their invoices and aging."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tenants.selectors import tenant_today
from tests.factories import DEFAULT_PASSWORD, InvoiceFactory, MembershipFactory, PayerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_clients(tenant, other_tenant):
    today = tenant_today(tenant)
    mine = PayerFactory(tenant=tenant, name="Zakład Stolarski Wiśniewski")
    InvoiceFactory(
        payer=mine,
        number="FV/12/2026",
        issue_date=today - datetime.timedelta(days=30),
        due_date=today - datetime.timedelta(days=12),
        gross_amount=Decimal("4920.00"),
    )
    InvoiceFactory(
        payer=mine,
        number="FV/13/2026",
        issue_date=today,
        due_date=today + datetime.timedelta(days=14),
        gross_amount=Decimal("1500.00"),
    )
    theirs = PayerFactory(tenant=other_tenant, name="Obcy Odbiorca S.A.")
    InvoiceFactory(payer=theirs, number="FV/OTHER/1", issue_date=today, due_date=today)
    return MembershipFactory(tenant=tenant).user


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_finance_user_logs_in_and_sees_own_invoices_with_aging(
    page: Page, live_server, two_clients
):
    log_in(page, live_server.url, two_clients.email)

    expect(page).to_have_url(f"{live_server.url}/invoices/")
    expect(page.locator("#invoice-table")).to_contain_text("FV/12/2026")
    expect(page.locator("#invoice-table")).to_contain_text("Zakład Stolarski Wiśniewski")
    expect(page.locator("#invoice-table")).not_to_contain_text("FV/OTHER/1")
    expect(page.locator("[data-bucket=overdue_1_30] .value")).to_have_text("4\u00a0920,00\u00a0zł")
    expect(page.locator("[data-bucket=not_due] .value")).to_have_text("1\u00a0500,00\u00a0zł")
    page.screenshot(path="test-artifacts/client_invoices.png", full_page=True)


def test_status_filter_narrows_the_table_without_a_page_reload(
    page: Page, live_server, two_clients
):
    log_in(page, live_server.url, two_clients.email)
    expect(page.locator("#invoice-table")).to_contain_text("FV/13/2026")

    page.select_option("select[name=status]", "paid")

    expect(page.locator("#invoice-table")).not_to_contain_text("FV/13/2026")
    expect(page).to_have_url(f"{live_server.url}/invoices/?q=&status=paid")


def test_the_interface_switches_to_english(page: Page, live_server, two_clients):
    log_in(page, live_server.url, two_clients.email)
    expect(page.locator("h1")).to_contain_text("Faktury")

    page.locator("form.lang button[value=en]").click()

    expect(page.locator("h1").first).to_have_text("Invoices")
