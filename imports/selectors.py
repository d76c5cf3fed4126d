"""Reads about import batches, and their live progress."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from imports.models import ImportBatch, ImportRowError
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
