"""A batch left "processing" by a worker that died mid-file is taken over by the task's next
delivery; a batch another worker is processing right now is left alone. PostgreSQL only (CI
runs on it): the lock that tells the two apart is a PostgreSQL session lock."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection

from imports.models import ImportBatch
from imports.processing import PROCESSING_LOCK_CLASS, process_batch
from imports.services import create_batch
from invoices.models import Invoice
from tests.imports.conftest import FEED

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI)"),
]


def queued_batch(tenant) -> ImportBatch:
    return create_batch(
        tenant=tenant,
        uploaded=io.BytesIO((FEED / "invoices_erp_cp1250.csv").read_bytes()),
        original_name="invoices.csv",
        channel=ImportBatch.Channel.CLI,
        enqueue=False,
    )


def test_a_batch_its_dead_worker_left_processing_is_processed_again(swiezak):
    batch = queued_batch(swiezak)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PROCESSING)

    batch = process_batch(batch=batch)

    assert (batch.status, batch.created_count) == (ImportBatch.Status.DONE, 40)
    assert Invoice.objects.for_tenant(swiezak).count() == 40


def test_a_batch_another_worker_is_processing_is_left_alone(swiezak):
    batch = queued_batch(swiezak)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.PROCESSING)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [PROCESSING_LOCK_CLASS, batch.pk])
                locked.set()
                release.wait(timeout=30)
                cursor.execute("SELECT pg_advisory_unlock_all()")
        finally:
            connection.close()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert locked.wait(timeout=30)
        left = process_batch(batch=batch)
    finally:
        release.set()
        worker.join(timeout=30)

    assert left.status == ImportBatch.Status.PROCESSING
    assert Invoice.objects.for_tenant(swiezak).count() == 0
    assert process_batch(batch=left).status == ImportBatch.Status.DONE  # once it is free
