"""Cursor pages: walking `next` visits every row once; a broken cursor is a 400."""

from __future__ import annotations

import base64

import pytest

from tests.factories import InvoiceFactory, PayerFactory, PaymentFactory


def walk(api, path: str, **params: str) -> list[int]:
    seen: list[int] = []
    response = api.get(path, {"page_size": "2", **params})
    while True:
        assert response.status_code == 200, response.json()
        seen += [row["id"] for row in response.json()["results"]]
        if not response.json()["next"]:
            return seen
        response = api.get(response.json()["next"])


@pytest.fixture
def rows(tenant) -> dict[str, list[int]]:
    payers = [PayerFactory(tenant=tenant) for _ in range(3)]
    invoices = [InvoiceFactory(tenant=tenant, payer=payers[n % 3]) for n in range(7)]
    payments = [PaymentFactory(tenant=tenant, payer=payers[n % 3]) for n in range(5)]
    return {
        "payers": [payer.id for payer in payers],
        "invoices": [invoice.id for invoice in invoices],
        "payments": [payment.id for payment in payments],
    }


@pytest.mark.parametrize("resource", ["payers", "invoices", "payments"])
def test_walking_the_pages_visits_every_row_once(api, rows, resource):
    assert walk(api, f"/api/v1/{resource}") == sorted(rows[resource])
    assert walk(api, f"/api/v1/{resource}", ordering="-id") == sorted(rows[resource])[::-1]


def test_walking_by_updated_at_visits_every_row_once(api, rows):
    assert sorted(walk(api, "/api/v1/invoices", ordering="updated_at")) == rows["invoices"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.b64encode(b"o=x").decode(),
        base64.b64encode(b"p=not-a-number").decode(),
    ],
)
def test_a_broken_cursor_is_400(api, rows, cursor):
    response = api.get("/api/v1/invoices", {"cursor": cursor})

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_forged_date_cursor_is_400(api, rows):
    cursor = base64.b64encode(b"p=someday").decode()

    response = api.get("/api/v1/payers", {"cursor": cursor, "ordering": "updated_at"})

    assert response.status_code == 400
