"""A bulk of 5,000 invoices costs a bounded number of queries, not one per item."""

from __future__ import annotations

import math

from django.db import connection

from invoices.models import Invoice
from payers.models import Payer, PayerContact
from tests.api.payloads import invoice_item, payer_item

ITEMS = 5000
BOUND = 30  # auth, savepoints, one read per model, a few 1,000-row upserts


def feed(payers: int = 500) -> list[dict]:
    """5,000 invoices of 500 payers, each invoice carrying its payer inline (an ERP export)."""
    items = []
    for n in range(ITEMS):
        item = invoice_item(n, payer=payer_item(n % payers))
        del item["payer_external_id"]
        items.append(item)
    return items


def allowed_queries() -> int:
    """30 where a statement takes any number of bound variables (PostgreSQL). SQLite allows 999,
    so Django splits each insert further: those extra batches are allowed on top, still a
    bound that does not grow with anything but the size of the call."""
    if connection.features.max_query_params is None:
        return BOUND
    return BOUND + sum(
        math.ceil(rows / connection.ops.bulk_batch_size(model._meta.concrete_fields, range(rows)))
        for model, rows in ((Invoice, ITEMS), (Payer, 500), (PayerContact, 1000))
    )


def test_5000_invoices_with_inline_payers_in_bounded_queries(
    api, tenant, django_assert_max_num_queries
):
    items = feed()

    with django_assert_max_num_queries(allowed_queries()):
        created = api.post("/api/v1/invoices/bulk", {"items": items}, format="json")
    with django_assert_max_num_queries(BOUND):
        again = api.post("/api/v1/invoices/bulk", {"items": items}, format="json")

    assert created.json()["summary"]["created"] == ITEMS
    assert again.json()["summary"]["unchanged"] == ITEMS
    assert Invoice.objects.for_tenant(tenant).count() == ITEMS
