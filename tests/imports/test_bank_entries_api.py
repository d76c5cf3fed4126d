"""`GET /api/v1/bank-entries` with suggestions and `POST /api/v1/bank-entries/{id}/confirm`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from imports.models import BankEntry, ImportBatch
from invoices.models import Invoice, Payment
from tenants.models import ApiKey
from tenants.services import create_api_key
from tests.factories import InvoiceFactory, PayerFactory


def api_of(tenant, scope: str = ApiKey.Scope.WRITE) -> APIClient:
    _key, raw_key = create_api_key(tenant=tenant, name="ERP", scope=scope)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def entry_of(tenant, amount: str = "1230.00", title: str = "FV 12/2026", **fields) -> BankEntry:
    batch = ImportBatch.objects.create(tenant=tenant, format="mt940", original_name="s.sta")
    values = {
        "tenant": tenant,
        "batch": batch,
        "external_id": f"REF-{BankEntry.objects.count()}",
        "amount": Decimal(amount),
        "booked_on": datetime.date(2026, 11, 18),
        "title": title,
        "counterparty_account": "PL61109010140000071219812874",
    }
    return BankEntry.objects.create(**(values | fields))


@pytest.fixture
def invoice(tenant) -> Invoice:
    return InvoiceFactory(payer=PayerFactory(tenant=tenant), number="FV/12/2026")


def url(entry: BankEntry, action: str = "") -> str:
    return f"/api/v1/bank-entries/{entry.pk}" + (f"/{action}" if action else "")


def test_unmatched_entries_are_listed_newest_first_with_suggestions(tenant, invoice):
    older = entry_of(tenant)
    newer = entry_of(tenant, title="nic")
    entry_of(tenant, state=BankEntry.State.IGNORED)

    response = api_of(tenant, ApiKey.Scope.READ).get("/api/v1/bank-entries", {"state": "unmatched"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [newer.pk, older.pk]
    best = results[1]["suggestions"][0]
    assert (best["kind"], best["invoice_id"], best["invoice_number"]) == (
        "invoice",
        invoice.pk,
        "FV/12/2026",
    )
    assert best["payer_id"] == invoice.payer_id and best["score"] > 0
    assert "the title names FV/12/2026" in best["reasons"]
    assert results[1]["amount"] == "1230.00" and results[1]["payment"] is None


def test_confirm_books_the_payment_once(tenant, invoice):
    entry = entry_of(tenant)
    api = api_of(tenant)

    first = api.post(url(entry, "confirm"), {"invoice_id": invoice.pk}, format="json")
    again = api.post(url(entry, "confirm"), {"invoice_id": invoice.pk}, format="json")

    assert (first.status_code, again.status_code) == (200, 200)
    body = first.json()
    assert (body["state"], body["match_reason"]) == ("matched", "api")
    assert body["payment"] == again.json()["payment"] == Payment.objects.get().pk
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert api.get(url(entry)).json()["suggestions"] == []


def test_confirm_by_payer_and_conflicts(tenant, invoice):
    entry = entry_of(tenant, "5.00")
    other = InvoiceFactory(payer=invoice.payer, number="FV/13/2026")
    api = api_of(tenant)

    by_payer = api.post(url(entry, "confirm"), {"payer_id": invoice.payer_id}, format="json")
    elsewhere = api.post(url(entry, "confirm"), {"invoice_id": other.pk}, format="json")
    ignored = entry_of(tenant, state=BankEntry.State.IGNORED)
    on_ignored = api.post(url(ignored, "confirm"), {"payer_id": invoice.payer_id}, format="json")

    assert by_payer.status_code == 200
    assert elsewhere.status_code == 409 and "already matched" in elsewhere.json()["detail"]
    assert on_ignored.status_code == 409


@pytest.mark.parametrize(
    "body",
    [{}, {"invoice_id": 1, "payer_id": 1}, {"invoice_id": "x"}, {"invoice_id": 2**70}, {"id": 1}],
    ids=["nothing", "both", "not-a-number", "too-big", "unknown-field"],
)
def test_bad_bodies_are_400_with_a_reason(tenant, body):
    response = api_of(tenant).post(url(entry_of(tenant), "confirm"), body, format="json")

    assert response.status_code == 400
    assert response.json()


def test_a_paid_invoice_is_a_400_saying_why(tenant, invoice):
    Invoice.objects.filter(pk=invoice.pk).update(
        status=Invoice.Status.PAID, outstanding_amount=Decimal("0")
    )
    response = api_of(tenant).post(
        url(entry_of(tenant), "confirm"), {"invoice_id": invoice.pk}, format="json"
    )

    assert response.status_code == 400
    assert "FV/12/2026 is paid" in response.json()["non_field_errors"][0]


def test_a_read_key_cannot_confirm(tenant, invoice):
    response = api_of(tenant, ApiKey.Scope.READ).post(
        url(entry_of(tenant), "confirm"), {"invoice_id": invoice.pk}, format="json"
    )

    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_another_clients_entries_and_invoices_are_not_found(tenant, other_tenant, invoice):
    entry = entry_of(tenant)
    intruder = api_of(other_tenant)
    their_invoice = InvoiceFactory(payer=PayerFactory(tenant=other_tenant))

    assert intruder.get(url(entry)).status_code == 404
    assert intruder.get("/api/v1/bank-entries").json()["results"] == []
    confirm = intruder.post(url(entry, "confirm"), {"invoice_id": invoice.pk}, format="json")
    assert confirm.status_code == 404
    own = api_of(tenant)
    for body in ({"invoice_id": their_invoice.pk}, {"payer_id": their_invoice.payer_id}):
        assert own.post(url(entry, "confirm"), body, format="json").status_code == 404
    assert not Payment.objects.exists()


def test_an_unknown_state_is_a_400(tenant):
    response = api_of(tenant).get("/api/v1/bank-entries", {"state": "lost"})

    assert response.status_code == 400
    assert "state" in response.json()
