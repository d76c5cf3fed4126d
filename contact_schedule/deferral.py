"""Deferral: a contact that did not happen in its window moves to the next window, never dropped.

Design (one task per payer per day stays true): when the planner plans day D it first marks every
task of an earlier day still `planned` as `deferred` (reason: its window passed). A deferred task
of an earlier day — that one, or one the limits deferred — is *carried*: its covered invoices are
staged again on D at the stage they had, next to D's own due steps, so they land in the payer's
one task of D (the most advanced stage still decides the channel). The old row keeps its state
`deferred` and records in `deferred_to` the day whose task carries it; only tasks whose channel
has a window on D are carried that day, the others wait (empty `deferred_to`) for one that does.
If D's task is deferred in turn, D's plan of the next day carries it: a chain, never a drop.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q, QuerySet

from contact_schedule.models import Channel, ContactTask, ContactTaskInvoice, ScheduleStep
from contact_schedule.selectors import monitored_invoices
from dunning.selectors import task_messages
from tenants.models import Tenant

OPEN_TASK_STATES = (ContactTask.State.PLANNED, ContactTask.State.DEFERRED)


def defer_past_tasks(*, tenant: Tenant, day: datetime.date) -> int:
    """Tasks of days before `day` still planned: their window passed without the contact.

    A task the outbox sent a message for was attempted, even while its result is still out (it
    stays planned until an outcome closes it): carrying it would send the message again. A
    consultant's call is not such a message: an answered call closes its task through the
    outcome, and one left unanswered (no answer, voicemail) keeps the contact due, so it is
    carried like a call never dialled.
    """
    sent = (
        task_messages(tenant=tenant)
        .filter(contact_task_id=OuterRef("pk"))
        .exclude(channel=Channel.CALL)
    )
    return (
        ContactTask.objects.for_tenant(tenant)
        .filter(state=ContactTask.State.PLANNED, planned_date__lt=day)
        .exclude(Exists(sent))
        .update(
            state=ContactTask.State.DEFERRED,
            deferred_reason=ContactTask.DeferralReason.NOT_DONE,
        )
    )


def tasks_to_carry(
    *,
    tenant: Tenant,
    day: datetime.date,
    open_channels: Collection[str],
    payer_ids: Collection[int] | None = None,
) -> QuerySet[ContactTask]:
    """Deferred tasks of earlier days that `day` carries (or already carried: a rerun)."""
    tasks = ContactTask.objects.for_tenant(tenant).filter(
        Q(deferred_to__isnull=True) | Q(deferred_to=day),
        state=ContactTask.State.DEFERRED,
        planned_date__lt=day,
        channel__in=list(open_channels),
    )
    if payer_ids is not None:
        tasks = tasks.filter(payer_id__in=list(payer_ids))
    return tasks


def carried_steps(*, tenant: Tenant, tasks: QuerySet[ContactTask]) -> list[ScheduleStep]:
    """The stages the carried tasks' invoices were at (a handful of steps)."""
    step_ids = (
        ContactTaskInvoice.objects.for_tenant(tenant)
        .filter(task__in=tasks)
        .values_list("step_id", flat=True)
        .distinct()
    )
    return list(ScheduleStep.objects.filter(pk__in=step_ids))


def carried_invoice_ids(
    *, tenant: Tenant, tasks: QuerySet[ContactTask], step: ScheduleStep
) -> QuerySet[ContactTaskInvoice]:
    """Ids of the invoices the carried tasks covered at `step` (a subquery, never read here)."""
    return (
        ContactTaskInvoice.objects.for_tenant(tenant)
        .filter(task__in=tasks, step=step)
        .values("invoice_id")
    )


def mark_carried(*, tenant: Tenant, day: datetime.date, tasks: QuerySet[ContactTask]) -> None:
    """Record on the old rows which day carries them: those whose payer has an open task on
    `day`, and those with nothing left to contact about (paid, disputed, escalated since)."""
    carrying_task = ContactTask.objects.for_tenant(tenant).filter(
        payer=OuterRef("payer"), planned_date=day, state__in=OPEN_TASK_STATES
    )
    still_owed = ContactTaskInvoice.objects.for_tenant(tenant).filter(
        task=OuterRef("pk"), invoice__in=monitored_invoices(tenant=tenant)
    )
    tasks.filter(deferred_to__isnull=True).filter(
        Exists(carrying_task) | ~Exists(still_owed)
    ).update(deferred_to=day)
