"""The upsert services as the import pipeline calls them: typed records, nothing half-applied."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from invoices.bulk import upsert_invoices
from invoices.models import Invoice, Source
from payers.bulk import UPDATE, BulkWriteFailed, upsert_payers
from payers.models import Payer
from tests.api.payloads import invoice_item, payer_item


def record(n: int, **changes) -> dict:
    """An invoice as a parser yields it: Python types, payer inline."""
    return {
        "external_id": f"FV/{n}",
        "number": f"FV/{n}",
        "issue_date": datetime.date(2026, 10, 1),
        "due_date": None,
        "gross_amount": Decimal("99.99"),
        "payer": {"external_id": "K/1", "name": "Nowak", "nip": "5260001247", "nip_flagged": True},
    } | changes


def break_invoice_writes(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise IntegrityError("simulated: a concurrent writer won")

    monkeypatch.setattr(Invoice.objects, "bulk_create", refuse)


def test_a_feed_record_with_a_flagged_nip_is_kept_as_received(tenant):
    report = upsert_invoices(tenant=tenant, items=[record(1)], source=Source.FILE)

    assert report.summary["created"] == 1
    invoice = Invoice.objects.for_tenant(tenant).select_related("payer").get()
    assert (invoice.source, invoice.due_date) == ("file", datetime.date(2026, 10, 15))
    assert (invoice.payer.nip, invoice.payer.nip_flagged) == ("5260001247", True)


def test_items_rejected_by_the_parser_keep_their_errors_and_their_place(tenant):
    report = upsert_invoices(
        tenant=tenant,
        items=[record(1), {"external_id": "FV/1"}, record(2)],
        rejected={1: {"due_date": ["Line 3: '31.02.2026' is not a date."]}},
    )

    assert [item.result for item in report.results] == ["created", "error", "created"]
    assert report.results[1].errors == {
        "due_date": ["Line 3: '31.02.2026' is not a date."],
        "external_id": [
            "External id FV/1 appears more than once in this request (first at item 0)."
        ],
    }


def test_a_database_error_applies_nothing_and_leaves_the_callers_transaction_usable(
    tenant, monkeypatch
):
    break_invoice_writes(monkeypatch)

    with transaction.atomic():  # the import pipeline's own transaction
        with pytest.raises(BulkWriteFailed):
            upsert_invoices(tenant=tenant, items=[record(1), record(2)])
        assert not Payer.objects.for_tenant(tenant).exists()  # payers written first: undone


def test_the_api_answers_409_when_the_database_refuses(api, tenant, monkeypatch):
    break_invoice_writes(monkeypatch)
    item = invoice_item(1, payer=payer_item(1))
    del item["payer_external_id"]

    response = api.post("/api/v1/invoices/bulk", {"items": [item]}, format="json")

    assert response.status_code == 409
    assert not Payer.objects.for_tenant(tenant).exists()


def test_update_mode_refuses_an_unknown_payer(tenant):
    report = upsert_payers(tenant=tenant, items=[{"external_id": "K/9", "name": "X"}], mode=UPDATE)

    assert report.results[0].errors == {"external_id": ["There is no payer with this external id."]}
    assert not Payer.objects.for_tenant(tenant).exists()
