"""Booking a payment through the API allocates it, and the response shows how."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoices.models import Invoice, Payment
from payers.models import Payer
from tests.factories import InvoiceFactory, PayerFactory, PaymentFactory

URL = "/api/v1/payments"


@pytest.fixture
def payer(tenant) -> Payer:
    return PayerFactory(tenant=tenant, external_id="K/1")


@pytest.fixture
def invoices(tenant, payer) -> list[Invoice]:
    """Three open invoices of 100.00, due on the 1st, 2nd and 3rd of October."""
    return [
        InvoiceFactory(
            tenant=tenant,
            payer=payer,
            external_id=f"FV/{day}",
            number=f"FV/{day}",
            issue_date=datetime.date(2026, 9, 1),
            due_date=datetime.date(2026, 10, day),
            gross_amount=Decimal("100.00"),
        )
        for day in (1, 2, 3)
    ]


def payment(**changes) -> dict:
    return {"payer_external_id": "K/1", "amount": "150.00", "paid_on": "2026-10-20"} | changes


def test_a_payment_settles_the_oldest_invoices_first(api, invoices):
    response = api.post(URL, payment(external_id="BANK/1"), format="json")

    assert response.status_code == 201
    body = response.json()
    assert [(a["invoice"]["external_id"], a["amount"]) for a in body["allocations"]] == [
        ("FV/1", "100.00"),
        ("FV/2", "50.00"),
    ]
    assert body["unallocated_amount"] == "0.00"
    statuses = [Invoice.objects.get(pk=i.pk).status for i in invoices]
    assert statuses == ["paid", "partially_paid", "open"]


def test_the_named_invoice_is_settled_first_and_the_rest_stays_unallocated(api, invoices):
    response = api.post(URL, payment(amount="350.00", invoice_external_id="FV/3"), format="json")

    allocations = response.json()["allocations"]
    assert [a["invoice"]["external_id"] for a in allocations] == ["FV/3", "FV/1", "FV/2"]
    assert response.json()["unallocated_amount"] == "50.00"
    assert response.json()["invoice"]["external_id"] == "FV/3"


def test_a_retry_with_the_same_external_id_is_not_booked_twice(api, invoices):
    first = api.post(URL, payment(external_id="BANK/1"), format="json")
    retry = api.post(URL, payment(external_id="BANK/1"), format="json")
    other_data = api.post(URL, payment(external_id="BANK/1", amount="1.00"), format="json")

    assert (first.status_code, retry.status_code, other_data.status_code) == (201, 200, 409)
    assert retry.json() == first.json()
    assert Payment.objects.count() == 1


def test_unknown_payer_or_another_payers_invoice_is_400(api, tenant, invoices):
    other_payer = PayerFactory(tenant=tenant, external_id="K/2")
    InvoiceFactory(tenant=tenant, payer=other_payer, external_id="FV/OTHER")

    unknown = api.post(URL, payment(payer_external_id="K/404"), format="json")
    foreign_invoice = api.post(URL, payment(invoice_external_id="FV/OTHER"), format="json")
    zero = api.post(URL, payment(amount="0.00", currency="pln"), format="json")

    assert list(unknown.json()) == ["payer_external_id"]
    assert list(foreign_invoice.json()) == ["invoice_external_id"]
    assert set(zero.json()) == {"amount", "currency"}
    assert not Payment.objects.exists()


def test_list_and_retrieve_show_allocations(api, tenant, invoices, payer):
    booked = api.post(URL, payment(external_id="BANK/7"), format="json").json()
    PaymentFactory(tenant=tenant, payer=payer)

    listed = api.get(URL, {"external_id": "BANK/7"}).json()["results"]
    by_id = api.get(f"{URL}/{booked['id']}").json()
    by_external_id = api.get(f"{URL}/by-external-id/BANK/7").json()

    assert listed == [booked]
    assert by_id == by_external_id == booked
