"""A real Celery worker consuming the `documents` queue renders a day's letters, one task each."""

from __future__ import annotations

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the test worker)
import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from dunning.documents.services import LetterJob, start_letter_batch
from dunning.documents.tasks import enqueue_letters, render_letter
from dunning.models import Document
from tests.dunning import letters

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_render_letter_is_routed_to_the_documents_queue():
    assert render_letter.queue == "documents"


def test_a_worker_on_the_documents_queue_renders_the_batch():
    tenant = letters.client()
    letters.ensure_interest_rates()
    letters.store_nbp_rates()
    letters.stamp(tenant)
    payers = [letters.debtor(tenant, external_id=f"W{n}") for n in range(3)]
    for payer in payers:
        letters.overdue_invoices(payer)
    jobs = [LetterJob(payer_id=payer.pk, kind="demand").as_dict() for payer in payers]
    batch = start_letter_batch(tenant=tenant, day=letters.DAY, letters=len(jobs))
    app.control.purge()

    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=["documents"]
        ):
            document_ids = enqueue_letters(batch.pk, jobs).get(timeout=120)
    finally:
        # The worker's queue selection is the app's, for good: later test workers must
        # consume every queue again.
        app.amqp.queues.select([queue.name for queue in app.conf.task_queues])

    batch.refresh_from_db()
    assert batch.errors == []
    assert batch.is_finished and (batch.rendered, batch.failed) == (3, 0)
    documents = Document.objects.for_tenant(tenant)
    assert sorted(document_ids) == sorted(documents.values_list("pk", flat=True))
    assert sorted(documents.values_list("payer_id", flat=True)) == sorted(p.pk for p in payers)
    assert all(document.letter_batch_id == batch.pk for document in documents)
