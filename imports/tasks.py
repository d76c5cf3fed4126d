"""Imports run on their own queue so a huge file never delays an SMS."""

from __future__ import annotations

from celery import shared_task

from imports import services
from imports.models import ImportBatch


@shared_task(queue="imports", acks_late=True)
def process_import_batch(batch_id: int) -> str:
    """Process one queued batch; a second delivery of the same task finds it taken and stops."""
    batch = ImportBatch.objects.select_related("tenant").get(pk=batch_id)
    return services.process_batch(batch=batch).status
