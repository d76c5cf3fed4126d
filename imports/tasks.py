"""Imports run on their own queue so a huge file never delays an SMS."""

from __future__ import annotations

from celery import shared_task

from imports import drop_folder, processing
from imports.models import ImportBatch


@shared_task(queue="imports", acks_late=True)
def process_import_batch(batch_id: int) -> str:
    """Process one queued batch; a second delivery of the same task finds it taken and stops."""
    batch = ImportBatch.objects.select_related("tenant").get(pk=batch_id)
    return processing.process_batch(batch=batch).status


@shared_task(queue="imports")
def scan_drop_folders() -> int:
    """Beat, every quarter hour: pick up the drop folders whose import hour it is (once a day).

    Returns how many batches were queued; a rerun in the same hour finds the scans claimed.
    """
    return len(drop_folder.scan_drop_folders())
