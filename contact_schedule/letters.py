"""The day's letters: contact tasks of the letter channels become render jobs for dunning.

contact_schedule decides who gets a letter when (a `demand_letter` or `interest_note` task of the
day); dunning renders it (`dunning.documents.services.render_letters`). The step's message template
names the letter (`payment_demand`, `second_demand`, `final_demand`), and the task's covered
invoices are the letter's invoices.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from contact_schedule.models import Channel, ContactTask, ContactTaskInvoice
from dunning.documents.services import LetterJob, render_letters
from dunning.models import DocumentKind, LetterBatch
from tenants.models import Tenant

LETTER_CHANNELS = (Channel.DEMAND_LETTER, Channel.INTEREST_NOTE)
# Step message template → document kind; a demand step with another key is a first demand.
KIND_OF_TEMPLATE = {
    "payment_demand": DocumentKind.DEMAND,
    "second_demand": DocumentKind.SECOND_DEMAND,
    "final_demand": DocumentKind.FINAL_DEMAND,
    "interest_note": DocumentKind.INTEREST_NOTE,
}


def document_kind(*, channel: str, message_template: str) -> str:
    if channel == Channel.INTEREST_NOTE:
        return DocumentKind.INTEREST_NOTE
    return KIND_OF_TEMPLATE.get(message_template, DocumentKind.DEMAND)


def letter_jobs(*, tenant: Tenant, day: datetime.date) -> list[LetterJob]:
    """One job per letter task of the client's day that is to go out.

    Not a task the limits deferred: its letter goes with the payer's later task that carries it
    (rendered now, it would go out twice). Done ones too: a rerun then counts their stored
    letters as already rendered.
    """
    tasks = list(
        ContactTask.objects.for_tenant(tenant)
        .filter(
            planned_date=day,
            channel__in=LETTER_CHANNELS,
            state__in=(ContactTask.State.PLANNED, ContactTask.State.DONE),
        )
        .select_related("step")
        .order_by("id")
    )
    invoices: dict[int, list[int]] = {task.pk: [] for task in tasks}
    covered = ContactTaskInvoice.objects.for_tenant(tenant).filter(task__in=tasks)
    for task_id, invoice_id in covered.order_by("invoice_id").values_list("task_id", "invoice_id"):
        invoices[task_id].append(invoice_id)
    return [
        LetterJob(
            payer_id=task.payer_id,
            kind=document_kind(channel=task.channel, message_template=task.step.message_template),
            invoice_ids=invoices[task.pk],
            contact_task_id=task.pk,
            schedule_step_id=task.step_id,
        )
        for task in tasks
    ]


def render_day_letters(
    *,
    tenant: Tenant,
    day: datetime.date,
    enqueue: bool = True,
    on_progress: Callable[[LetterBatch], None] | None = None,
) -> LetterBatch:
    """Render the client's letters of `day`: on the documents queue, or here with progress."""
    jobs = letter_jobs(tenant=tenant, day=day)
    return render_letters(
        tenant=tenant, day=day, jobs=jobs, enqueue=enqueue, on_progress=on_progress
    )
