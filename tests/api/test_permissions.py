"""Read-only keys read; writes need a write key; nothing is ever deleted or replaced (405)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from invoices.models import Invoice, Payment
from payers.models import Payer
from tenants.services import create_api_key, revoke_api_key
from tests.api.payloads import invoice_item, payer_item
from tests.factories import InvoiceFactory, PayerFactory, PaymentFactory


@pytest.fixture
def invoice(tenant) -> Invoice:
    return InvoiceFactory(tenant=tenant, payer=PayerFactory(tenant=tenant, external_id="K/1"))


def writes(invoice: Invoice) -> list[tuple[str, str, dict]]:
    payment = {"payer_external_id": "K/1", "amount": "10.00", "paid_on": "2026-10-20"}
    return [
        ("post", "/api/v1/payers", payer_item(2)),
        ("post", "/api/v1/payers/bulk", {"items": [payer_item(3)]}),
        ("patch", f"/api/v1/payers/{invoice.payer_id}", {"name": "Changed"}),
        ("post", "/api/v1/invoices", invoice_item(2)),
        ("post", "/api/v1/invoices/bulk", {"items": [invoice_item(3)]}),
        ("patch", f"/api/v1/invoices/{invoice.id}", {"number": "Changed"}),
        ("post", f"/api/v1/invoices/{invoice.id}/cancel", {"reason": "Credit note"}),
        ("post", "/api/v1/payments", payment),
    ]


def test_a_read_only_key_cannot_write(read_api, invoice):
    statuses = [
        getattr(read_api, method)(path, body, format="json").status_code
        for method, path, body in writes(invoice)
    ]

    assert statuses == [403] * len(statuses)
    assert (Payer.objects.count(), Invoice.objects.count(), Payment.objects.count()) == (1, 1, 0)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payer.name) != (Invoice.Status.CANCELLED, "Changed")


def test_a_read_only_key_reads(read_api, invoice):
    paths = ["/api/v1/payers", "/api/v1/invoices", "/api/v1/payments"]

    assert [read_api.get(path).status_code for path in paths] == [200, 200, 200]


def test_a_write_key_writes(api, invoice):
    statuses = [
        getattr(api, method)(path, body, format="json").status_code
        for method, path, body in writes(invoice)
    ]

    assert statuses == [201, 200, 200, 201, 200, 200, 200, 201]


def test_without_a_valid_key_the_api_answers_401(tenant):
    api_key, raw_key = create_api_key(tenant=tenant, name="Old ERP", scope="write")
    revoke_api_key(api_key=api_key)

    revoked = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw_key}").get("/api/v1/invoices")
    anonymous = APIClient().get("/api/v1/invoices")

    assert (revoked.status_code, anonymous.status_code) == (401, 401)


@pytest.mark.parametrize("resource", ["payers", "invoices", "payments"])
def test_nothing_is_deleted_or_replaced(api, tenant, resource):
    payer = PayerFactory(tenant=tenant)
    row = {
        "payers": payer,
        "invoices": InvoiceFactory(tenant=tenant, payer=payer),
        "payments": PaymentFactory(tenant=tenant, payer=payer),
    }[resource]

    delete = api.delete(f"/api/v1/{resource}/{row.id}")
    put = api.put(f"/api/v1/{resource}/{row.id}", {}, format="json")

    assert (delete.status_code, put.status_code) == (405, 405)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_payments_are_not_changed(api, tenant):
    payment = PaymentFactory(tenant=tenant, payer=PayerFactory(tenant=tenant))

    response = api.patch(f"/api/v1/payments/{payment.id}", {"amount": "1.00"}, format="json")

    assert response.status_code == 405
