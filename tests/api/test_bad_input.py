"""Malformed bodies and wrong types are 400 with field errors, never a 500."""

from __future__ import annotations

import base64

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


def cursor(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/invoices/99999999999999999999999",
        "/api/v1/invoices/by-external-id/FV%00/1",
        "/api/v1/invoices/by-external-id?external_id=FV%00/1",
        "/api/v1/invoices?payer_external_id=K%00",
        f"/api/v1/invoices?cursor={cursor('99999999999999999999999')}",
        f"/api/v1/invoices?ordering=updated_at&cursor={cursor('9999-12-31 23:59:59-23:00')}",
        "/api/v1/invoices?updated_since=9999-12-31T23:59:59-23:00",
        "/api/v1/payers?page_size=99999999999999999999",
    ],
)
def test_hostile_reads_are_refused_not_crashed(api, path):
    """Values a database refuses (NUL, offsets beyond ±16 h, ids beyond bigint) never reach it."""
    assert api.get(path).status_code in (200, 400, 404)


def test_a_nul_character_in_a_bulk_item_is_an_item_error(api):
    items = [{"external_id": "K\x001", "name": "X"}, {"external_id": "K/2", "name": "Nul\x00"}]

    response = api.post("/api/v1/payers/bulk", {"items": items}, format="json")

    assert [set(r["errors"]) for r in response.json()["results"]] == [{"external_id"}, {"name"}]
