"""Tenant B's key never reaches tenant A's rows: not by id, not by external id, not in lists."""

from __future__ import annotations

import pytest

from invoices.models import Invoice
from payers.models import Payer
from tests.api.payloads import invoice_item, payer_item
from tests.factories import InvoiceFactory, PayerFactory, PaymentFactory


@pytest.fixture
def a_rows(tenant) -> dict[str, object]:
    """Tenant A's payer, invoice and payment, with external ids containing `/`."""
    payer = PayerFactory(tenant=tenant, external_id="K/1", name="Tenant A's payer")
    invoice = InvoiceFactory(tenant=tenant, payer=payer, external_id="FV/1/2026")
    payment = PaymentFactory(tenant=tenant, payer=payer, external_id="BANK/1")
    return {"payers": payer, "invoices": invoice, "payments": payment}


RESOURCES = ["payers", "invoices", "payments"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_another_tenants_row_by_id_is_not_found(other_api, a_rows, resource):
    response = other_api.get(f"/api/v1/{resource}/{a_rows[resource].id}")

    assert response.status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_another_tenants_row_by_external_id_is_not_found(other_api, a_rows, resource):
    external_id = a_rows[resource].external_id

    in_path = other_api.get(f"/api/v1/{resource}/by-external-id/{external_id}")
    in_query = other_api.get(f"/api/v1/{resource}/by-external-id", {"external_id": external_id})

    assert (in_path.status_code, in_query.status_code) == (404, 404)


@pytest.mark.parametrize("resource", RESOURCES)
def test_lists_hold_only_the_keys_tenant(other_api, other_tenant, a_rows, resource):
    own_payer = PayerFactory(tenant=other_tenant, external_id="K/1")
    own = {
        "payers": own_payer,
        "invoices": InvoiceFactory(tenant=other_tenant, payer=own_payer, external_id="FV/1/2026"),
        "payments": PaymentFactory(tenant=other_tenant, payer=own_payer, external_id="BANK/1"),
    }[resource]

    everything = other_api.get(f"/api/v1/{resource}")
    by_external_id = other_api.get(
        f"/api/v1/{resource}", {"external_id": a_rows[resource].external_id}
    )

    assert [row["id"] for row in everything.json()["results"]] == [own.id]
    assert [row["id"] for row in by_external_id.json()["results"]] == [own.id]


def test_another_tenant_cannot_patch_or_cancel(other_api, a_rows):
    payer, invoice = a_rows["payers"], a_rows["invoices"]

    responses = [
        other_api.patch(f"/api/v1/payers/{payer.id}", {"name": "Hijacked"}, format="json"),
        other_api.patch(f"/api/v1/invoices/{invoice.id}", {"number": "X"}, format="json"),
        other_api.post(f"/api/v1/invoices/{invoice.id}/cancel", {"reason": "x"}, format="json"),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404]
    invoice.refresh_from_db()
    payer.refresh_from_db()
    assert (payer.name, invoice.status) == ("Tenant A's payer", Invoice.Status.OPEN)


def test_another_tenants_payer_is_unknown_like_a_missing_one(other_api, a_rows):
    """The error for A's payer id is the one for an id nobody has: existence never leaks."""
    foreign = other_api.post(
        "/api/v1/invoices", invoice_item(1, payer_external_id="K/1"), format="json"
    )
    missing = other_api.post(
        "/api/v1/invoices", invoice_item(1, payer_external_id="K/404"), format="json"
    )

    assert foreign.status_code == missing.status_code == 400
    missing_messages = missing.json()["payer_external_id"]
    assert foreign.json()["payer_external_id"] == [
        m.replace("K/404", "K/1") for m in missing_messages
    ]


def test_payment_for_another_tenants_payer_is_refused(other_api, a_rows):
    response = other_api.post(
        "/api/v1/payments",
        {"payer_external_id": "K/1", "amount": "10.00", "paid_on": "2026-10-20"},
        format="json",
    )

    assert response.status_code == 400
    assert "payer_external_id" in response.json()


def test_bulk_with_another_tenants_external_id_makes_the_keys_own_row(
    other_api, other_tenant, tenant, a_rows
):
    response = other_api.post(
        "/api/v1/payers/bulk", {"items": [payer_item(1, name="B's own")]}, format="json"
    )

    assert response.json()["results"][0]["result"] == "created"
    assert Payer.objects.for_tenant(tenant).get(external_id="K/1").name == "Tenant A's payer"
    assert Payer.objects.for_tenant(other_tenant).get(external_id="K/1").name == "B's own"
