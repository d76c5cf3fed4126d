"""Reads about import batches, and their live progress."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from imports.matching import invoices_named
from imports.models import BankEntry, ImportBatch, ImportRowError
from invoices.models import Invoice
from tenants.models import Tenant


def batches_of(*, tenant: Tenant) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.for_tenant(tenant)


def row_errors_of(*, tenant: Tenant, batch: ImportBatch) -> QuerySet[ImportRowError]:
    return ImportRowError.objects.for_tenant(tenant).filter(batch=batch)


def progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def rows_processed(batch: ImportBatch) -> int:
    """Rows read so far: published through the cache while the batch's transaction is open."""
    if batch.is_finished:
        return batch.rows_total
    return int(cache.get(progress_key(batch.pk), 0))


def bank_entries_of(
    *, tenant: Tenant, state: str = BankEntry.State.UNMATCHED
) -> QuerySet[BankEntry]:
    """A client's bank credits in one state, newest first (the review list)."""
    return (
        BankEntry.objects.for_tenant(tenant)
        .filter(state=state)
        .select_related("ignored_by", "matched_by")
        .order_by("-booked_on", "-id")
    )


def bank_entries_waiting(*, tenant: Tenant) -> int:
    """How many of a client's bank credits wait for its review (the count badge)."""
    return BankEntry.objects.for_tenant(tenant).filter(state=BankEntry.State.UNMATCHED).count()


def invoices_numbered(
    *, tenant: Tenant, number: str, currency: str, limit: int = 10
) -> list[Invoice]:
    """Unsettled invoices whose number contains `number`, or equals it the forgiving way
    ('fv 12/2026' finds FV/12/2026): the search of "assign to another invoice"."""
    number = (number or "").strip()[:100]
    if not number:
        return []
    unsettled = (
        Invoice.objects.for_tenant(tenant)
        .filter(status__in=Invoice.UNSETTLED, currency=currency)
        .select_related("payer")
        .order_by("due_date", "id")
    )
    found = {invoice.pk: invoice for invoice in unsettled.filter(number__icontains=number)[:limit]}
    if len(found) < limit:
        for invoice in invoices_named(tenant=tenant, invoice_numbers=[number], currency=currency):
            found.setdefault(invoice.pk, invoice)
    return list(found.values())[:limit]
