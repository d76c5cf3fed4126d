"""Two clicks at once (two tabs, two colleagues) on the same waiting credit: it is booked once.
PostgreSQL only (CI runs on it): SQLite locks the whole database, which proves nothing here."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from imports.banking import confirm_bank_entry
from imports.models import BankEntry, ImportBatch
from invoices.models import Payment
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI)"),
]


def test_two_confirmations_at_once_for_different_invoices_book_one_payment(tenant):
    payer = PayerFactory(tenant=tenant)
    invoices = [InvoiceFactory(payer=payer) for _ in range(2)]
    batch = ImportBatch.objects.create(tenant=tenant, format="mt940", original_name="s.sta")
    entry = BankEntry.objects.create(
        tenant=tenant,
        batch=batch,
        external_id="REF-1",
        amount=Decimal("100.00"),
        booked_on=datetime.date(2026, 11, 18),
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def click(invoice) -> None:
        try:
            start.wait(timeout=10)
            confirm_bank_entry(tenant=tenant, entry=entry, invoice=invoice)
            outcomes.append("booked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()  # each thread has its own connection

    clicks = [threading.Thread(target=click, args=(invoice,)) for invoice in invoices]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked", "refused"]
    assert Payment.objects.for_tenant(tenant).count() == 1
    assert BankEntry.objects.get(pk=entry.pk).payment is not None
