"""Malformed bodies and wrong types are 400 with field errors, never a 500."""

from __future__ import annotations

import pytest

from tests.api.payloads import invoice_item
from tests.factories import PayerFactory


@pytest.mark.parametrize(
    "path",
    ["/api/v1/payers", "/api/v1/invoices", "/api/v1/payments", "/api/v1/invoices/bulk"],
)
def test_malformed_json_is_400(api, path):
    response = api.post(path, '{"items": [', content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gross_amount": "12,30"}, "gross_amount"),
        ({"gross_amount": "-1.00"}, "gross_amount"),
        ({"gross_amount": "1.005"}, "gross_amount"),
        ({"issue_date": 20261001}, "issue_date"),
        ({"instalment_number": "first"}, "instalment_number"),
        ({"kind": "receipt"}, "kind"),
        ({"payer": "K/1"}, "payer"),
        ({"payer": {"external_id": "K/9", "name": "X", "nip": "123"}}, "payer.nip"),
        ({"due_data": "2026-10-30"}, "due_data"),
    ],
)
def test_wrong_values_name_their_field(api, tenant, changes, field):
    PayerFactory(tenant=tenant, external_id="K/1")

    single = api.post("/api/v1/invoices", invoice_item(1, **changes), format="json")
    bulk = api.post("/api/v1/invoices/bulk", {"items": [invoice_item(1, **changes)]}, format="json")

    assert single.status_code == 400
    assert names(field, single.json()), single.json()
    assert names(field, bulk.json()["results"][0]["errors"])


def names(field: str, errors: dict) -> bool:
    """`errors` has `field` itself or one of its parts (`payer.nip`, `phones.0`)."""
    return any(key == field or key.startswith(f"{field}.") for key in errors)


@pytest.mark.parametrize(
    "body",
    [[{"external_id": "K/1"}], {"items": "K/1"}, {"items": None}, "just text", {}],
)
def test_a_bulk_body_that_is_not_an_envelope_is_400(api, body):
    response = api.post("/api/v1/payers/bulk", body, format="json")

    assert response.status_code == 400


def test_bulk_atomic_flag_must_be_a_boolean(api):
    response = api.post("/api/v1/payers/bulk?atomic=perhaps", {"items": []}, format="json")

    assert response.status_code == 400
    assert "atomic" in response.json()
