"""List filters: status, due dates, `updated_since`, external ids; bad values are 400, never 500."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from invoices.models import Invoice
from payers.models import Payer
from tests.factories import InvoiceFactory, PayerFactory, PaymentFactory


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def ledger(tenant) -> dict[str, object]:
    nowak, kowal = (PayerFactory(tenant=tenant, external_id=e) for e in ("K/1", "K/2"))

    def invoice(n: int, payer: Payer, due: str, status: str = Invoice.Status.OPEN) -> Invoice:
        return InvoiceFactory(
            tenant=tenant,
            payer=payer,
            external_id=f"FV/{n}",
            issue_date=datetime.date(2026, 9, 1),
            due_date=datetime.date.fromisoformat(due),
            status=status,
        )

    return {
        "open": invoice(1, nowak, "2026-10-01"),
        "disputed": invoice(2, nowak, "2026-10-20", Invoice.Status.DISPUTED),
        "paid": invoice(3, kowal, "2026-11-05", Invoice.Status.PAID),
        "nowak": nowak,
        "kowal": kowal,
    }


def test_invoices_by_status(api, ledger):
    one = api.get("/api/v1/invoices", {"status": "disputed"})
    two = api.get("/api/v1/invoices?status=open&status=paid")

    assert ids(one) == [ledger["disputed"].id]
    assert ids(two) == [ledger["open"].id, ledger["paid"].id]


def test_invoices_by_due_date_range(api, ledger):
    response = api.get("/api/v1/invoices", {"due_from": "2026-10-02", "due_to": "2026-11-05"})

    assert ids(response) == [ledger["disputed"].id, ledger["paid"].id]


def test_invoices_by_external_ids(api, ledger):
    by_own = api.get("/api/v1/invoices", {"external_id": "FV/2"})
    by_payer = api.get("/api/v1/invoices", {"payer_external_id": "K/2"})

    assert ids(by_own) == [ledger["disputed"].id]
    assert ids(by_payer) == [ledger["paid"].id]


def test_updated_since_on_invoices_and_payers(api, ledger):
    since = timezone.now()
    Invoice.objects.filter(pk=ledger["paid"].pk).update(updated_at=since)
    Invoice.objects.exclude(pk=ledger["paid"].pk).update(
        updated_at=since - datetime.timedelta(days=1)
    )
    Payer.objects.filter(pk=ledger["kowal"].pk).update(updated_at=since)
    Payer.objects.exclude(pk=ledger["kowal"].pk).update(
        updated_at=since - datetime.timedelta(days=1)
    )
    stamp = since.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")

    invoices = api.get("/api/v1/invoices", {"updated_since": stamp})
    payers = api.get("/api/v1/payers", {"updated_since": stamp})

    assert ids(invoices) == [ledger["paid"].id]
    assert ids(payers) == [ledger["kowal"].id]


def test_payments_by_payer_and_date(api, tenant, ledger):
    early = PaymentFactory(tenant=tenant, payer=ledger["nowak"], paid_on=datetime.date(2026, 10, 1))
    PaymentFactory(tenant=tenant, payer=ledger["kowal"], paid_on=datetime.date(2026, 10, 1))
    PaymentFactory(tenant=tenant, payer=ledger["nowak"], paid_on=datetime.date(2026, 10, 9))

    response = api.get(
        "/api/v1/payments",
        {"payer_external_id": "K/1", "paid_from": "2026-09-30", "paid_to": "2026-10-02"},
    )

    assert ids(response) == [early.id]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/invoices", {"status": "overdue"}, "status"),
        ("/api/v1/invoices", {"due_from": "2026-13-01"}, "due_from"),
        ("/api/v1/invoices", {"due_from": "2026-10-02", "due_to": "2026-10-01"}, "due_to"),
        ("/api/v1/invoices", {"updated_since": "yesterday"}, "updated_since"),
        ("/api/v1/payers", {"updated_since": "2026-10-01T25:00"}, "updated_since"),
        ("/api/v1/payments", {"paid_to": "1.10.2026"}, "paid_to"),
        ("/api/v1/invoices", {"ordering": "number"}, "ordering"),
        ("/api/v1/payments", {"ordering": "updated_at"}, "ordering"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(api, ledger, path, params, field):
    response = api.get(path, params)

    assert response.status_code == 400
    assert field in response.json()
