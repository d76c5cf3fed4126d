"""The invoice list: the client's invoices with their status, the aging summary, filters, htmx."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from invoices.models import Invoice
from invoices.templatetags.money import money
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory

URL = reverse("invoices:list")


def due_in(payer, days: int, amount: str, **kwargs) -> Invoice:
    due = tenant_today(payer.tenant) + datetime.timedelta(days=days)
    return InvoiceFactory(
        payer=payer,
        issue_date=due - datetime.timedelta(days=60),
        due_date=due,
        gross_amount=Decimal(amount),
        **kwargs,
    )


def shown_as_money(response, amount: str) -> str:
    """The amount as the page formats it in the language it was rendered in."""
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return money(Decimal(amount), "PLN")


def kpi(response, bucket: str) -> str:
    """The HTML of one aging tile, from its `data-bucket` to the next tile."""
    after = response.text.split(f'data-bucket="{bucket}"', 1)[1]
    return after.split("data-bucket=", 1)[0]


def test_the_list_shows_each_invoice_with_its_status(finance_client, payer):
    open_one = due_in(payer, 10, "1000.00")
    paid = due_in(payer, -5, "500.00", outstanding_amount=Decimal("0"), status="paid")

    response = finance_client.get(URL)

    assert response.status_code == 200
    for invoice in (open_one, paid):
        row = response.text.split(f">{invoice.number}</a>", 1)[1].split("</tr>", 1)[0]
        assert f'class="badge {invoice.status}"' in row
        with translation.override(response.wsgi_request.LANGUAGE_CODE):
            assert str(invoice.get_status_display()) in row


def test_the_aging_summary_shows_what_is_owed_per_bucket(finance_client, payer):
    due_in(payer, 10, "1000.00")
    due_in(payer, -45, "250.00")
    due_in(payer, -45, "999.00", status="cancelled")

    response = finance_client.get(URL)

    assert shown_as_money(response, "1000.00") in kpi(response, "not_due")
    assert shown_as_money(response, "250.00") in kpi(response, "overdue_31_60")
    assert shown_as_money(response, "0.00") in kpi(response, "overdue_90_plus")
    assert shown_as_money(response, "999.00") not in response.text.split('id="invoice-table"')[0]


def test_the_status_filter_keeps_only_that_status(finance_client, payer):
    open_one = due_in(payer, 10, "1000.00")
    disputed = due_in(payer, -3, "200.00", status="disputed")

    response = finance_client.get(URL, {"status": "disputed"})

    assert disputed.number in response.text
    assert open_one.number not in response.text


def test_an_unknown_status_shows_every_invoice(finance_client, payer):
    open_one = due_in(payer, 10, "1000.00")

    response = finance_client.get(URL, {"status": "nonsense"})

    assert response.status_code == 200
    assert open_one.number in response.text


def test_an_htmx_request_gets_only_the_table(finance_client, payer):
    open_one = due_in(payer, 10, "1000.00")

    response = finance_client.get(URL, {"status": "open"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert open_one.number in response.text
    assert response.text.lstrip().startswith("<table")
    assert "<html" not in response.text
    assert 'data-bucket="not_due"' not in response.text
    assert [t.name for t in response.templates] == ["invoices/_invoice_table.html"]
