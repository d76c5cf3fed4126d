"""Handing over, changing and cancelling one invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoices.models import Invoice
from payers.models import Payer
from tests.api.payloads import invoice_item, payer_item
from tests.factories import InvoiceFactory, PayerFactory


@pytest.fixture
def payer(tenant) -> Payer:
    return PayerFactory(tenant=tenant, external_id="K/1")


def test_create_an_invoice_for_a_known_payer(api, tenant, payer):
    response = api.post("/api/v1/invoices", invoice_item(1), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["payer"] == {"id": payer.id, "external_id": "K/1", "name": payer.name}
    assert (body["status"], body["outstanding_amount"], body["source"]) == (
        "open",
        "1230.00",
        "api",
    )


def test_create_an_invoice_with_its_payer_inline(api, tenant):
    item = invoice_item(1, payer=payer_item(5), due_date=None)
    del item["payer_external_id"]

    response = api.post("/api/v1/invoices", item, format="json")

    assert response.status_code == 201
    assert response.json()["payer"]["external_id"] == "K/5"
    # No due date: the client's default payment term (14 days) applies.
    assert response.json()["due_date"] == "2026-10-15"
    assert Payer.objects.for_tenant(tenant).get(external_id="K/5").contacts.count() == 2


def test_create_reports_every_problem_of_the_invoice(api, payer):
    response = api.post(
        "/api/v1/invoices",
        invoice_item(1, due_date="2026-09-01", outstanding_amount="2000.00", currency="zł"),
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"due_date", "outstanding_amount", "currency"}


def test_patch_changes_descriptive_fields_only(api, tenant, payer):
    invoice = InvoiceFactory(tenant=tenant, payer=payer)

    changed = api.patch(
        f"/api/v1/invoices/{invoice.id}",
        {"number": "FV/1/2026/K", "due_date": "2026-11-30", "contract_number": "UM/9"},
        format="json",
    )
    amount = api.patch(
        f"/api/v1/invoices/{invoice.id}",
        {"outstanding_amount": "0.00", "status": "paid"},
        format="json",
    )

    assert changed.status_code == 200
    assert (changed.json()["number"], changed.json()["due_date"]) == ("FV/1/2026/K", "2026-11-30")
    assert amount.status_code == 400
    assert set(amount.json()) == {"outstanding_amount", "status"}
    invoice.refresh_from_db()
    assert (invoice.outstanding_amount, invoice.status) == (Decimal("1230.00"), "open")


def test_patch_keeps_the_due_date_after_the_issue_date(api, tenant, payer):
    invoice = InvoiceFactory(tenant=tenant, payer=payer)

    response = api.patch(f"/api/v1/invoices/{invoice.id}", {"issue_date": "2026-12-01"})

    assert response.status_code == 400
    assert "due_date" in response.json()
    invoice.refresh_from_db()
    assert invoice.issue_date == datetime.date(2026, 10, 1)


def test_cancel_an_invoice_with_a_reason(api, tenant, payer):
    invoice = InvoiceFactory(tenant=tenant, payer=payer)

    without_reason = api.post(f"/api/v1/invoices/{invoice.id}/cancel", {}, format="json")
    cancelled = api.post(
        f"/api/v1/invoices/{invoice.id}/cancel", {"reason": "Korekta KOR/1/2026"}, format="json"
    )
    again = api.post(f"/api/v1/invoices/{invoice.id}/cancel", {"reason": "again"}, format="json")

    assert without_reason.status_code == 400
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert (again.status_code, again.json()["status"]) == (200, "cancelled")


def test_a_paid_invoice_cannot_be_cancelled(api, tenant, payer):
    invoice = InvoiceFactory(
        tenant=tenant, payer=payer, outstanding_amount=Decimal("0.00"), status=Invoice.Status.PAID
    )

    response = api.post(f"/api/v1/invoices/{invoice.id}/cancel", {"reason": "x"}, format="json")

    assert response.status_code == 409
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_retrieve_by_external_id_in_path_and_query(api, tenant, payer):
    invoice = InvoiceFactory(tenant=tenant, payer=payer, external_id="FV/1/2026")

    in_path = api.get("/api/v1/invoices/by-external-id/FV/1/2026")
    in_query = api.get("/api/v1/invoices/by-external-id?external_id=FV/1/2026")
    missing = api.get("/api/v1/invoices/by-external-id/FV/404/2026")

    assert in_path.json()["id"] == in_query.json()["id"] == invoice.id
    assert missing.status_code == 404
