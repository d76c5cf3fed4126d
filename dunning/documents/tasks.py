"""The `documents` queue: one task per letter, so a day's letters render in parallel."""

from __future__ import annotations

from celery import group, shared_task
from celery.result import GroupResult

from dunning.documents import services
from dunning.models import LetterBatch


@shared_task(queue="documents", acks_late=True)
def render_letter(batch_id: int, job: dict) -> int | None:
    """Render one letter of a batch; the document's id (None when it failed: see the batch)."""
    batch = LetterBatch.objects.select_related("tenant").get(pk=batch_id)
    document = services.render_batch_letter(batch=batch, job=services.LetterJob.from_dict(job))
    return document.pk if document else None


def enqueue_letters(batch_id: int, jobs: list[dict]) -> GroupResult | None:
    """Fan out: each letter its own task on the documents queue."""
    if not jobs:
        return None
    return group(render_letter.s(batch_id, job) for job in jobs).apply_async(queue="documents")
