"""A day's SMS, voice and e-mail contact tasks become queued messages in dunning's outbox.

The planner decides who is contacted on which day; here each such task gets its text (the
client's template for the step, else the Polish default, `dunning.message_templates`) and goes to
the outbox, which sends it inside the channel's contact window. Running it again queues nothing
new: the outbox keeps one message per task and channel.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery import shared_task
from django.core.exceptions import ValidationError

from contact_schedule.models import ContactTask, ContactTaskInvoice
from contact_schedule.selectors import contact_limits_for
from dunning.message_templates import render_message
from dunning.outbox import enqueue_message
from dunning.selectors import messages_sent_since, task_message_exists
from invoices.models import Invoice
from payers.models import PayerContact
from tenants.models import Tenant
from tenants.selectors import tenant_today

logger = logging.getLogger(__name__)

MESSAGE_CHANNELS = ("sms", "voice", "email")
# "Press 1 to confirm payment by <date>": the date a voice message offers, a week ahead.
PROMISE_OFFER = datetime.timedelta(days=7)


@dataclass
class QueueReport:
    queued: int = 0
    skipped: int = 0


def contact_for(*, tenant: Tenant, payer_id: int, channel: str) -> str:
    """The payer's usable number (SMS, voice) or address (e-mail), primary first; '' if none."""
    kind = PayerContact.Kind.EMAIL if channel == "email" else PayerContact.Kind.PHONE
    contact = (
        PayerContact.objects.for_tenant(tenant)
        .filter(payer_id=payer_id, kind=kind, is_wrong=False, opted_out_at__isnull=True)
        .order_by("-is_primary", "id")
        .first()
    )
    return contact.value if contact else ""


def over_sms_limit(*, tenant: Tenant, payer_id: int, day: datetime.date, per_week: int) -> bool:
    """The client's "at most N SMS a week" (DOMAIN.md §4): the seven days up to `day`."""
    week_start = datetime.datetime.combine(
        day - datetime.timedelta(days=6), datetime.time(), tzinfo=tenant.zone
    )
    sent = messages_sent_since(tenant=tenant, payer_id=payer_id, channel="sms", since=week_start)
    return sent >= per_week


def queue_messages_for_day(*, tenant: Tenant, day: datetime.date) -> QueueReport:
    report = QueueReport()
    limits = contact_limits_for(tenant=tenant)
    tasks = (
        ContactTask.objects.for_tenant(tenant)
        .filter(planned_date=day, state=ContactTask.State.PLANNED, channel__in=MESSAGE_CHANNELS)
        .select_related("payer", "step")
    )
    for task in tasks:
        recipient = contact_for(tenant=tenant, payer_id=task.payer_id, channel=task.channel)
        covered = ContactTaskInvoice.objects.for_tenant(tenant).filter(task=task)
        invoices = list(
            Invoice.objects.for_tenant(tenant)
            .filter(id__in=covered.values("invoice_id"))
            .order_by("due_date", "number")
        )
        promise_date = day + PROMISE_OFFER if task.channel == "voice" else None
        try:
            if not recipient:
                raise ValidationError({"recipient": "no usable contact"})
            already = task_message_exists(
                tenant=tenant, contact_task_id=task.id, channel=task.channel
            )
            if (
                not already
                and task.channel == "sms"
                and over_sms_limit(
                    tenant=tenant, payer_id=task.payer_id, day=day, per_week=limits.max_sms_per_week
                )
            ):
                raise ValidationError({"channel": "the payer's SMS limit for the week is reached"})
            rendered = render_message(
                tenant=tenant,
                code=task.step.message_template,
                channel=task.channel,
                payer=task.payer,
                invoices=invoices,
                today=day,
                promise_date=promise_date,
            )
            enqueue_message(
                tenant=tenant,
                payer=task.payer,
                channel=task.channel,
                recipient=recipient,
                subject=rendered.subject,
                body=rendered.body,
                template_code=task.step.message_template,
                contact_task_id=task.id,
                promise_date=promise_date,
                invoice_ids=[invoice.id for invoice in invoices],
            )
        except (ValidationError, LookupError) as error:
            report.skipped += 1
            logger.warning("contact task %s not queued: %s", task.id, error)
            continue
        report.queued += 1
    return report


@shared_task(queue="messaging")
def queue_due_messages() -> int:
    """Beat: today's message tasks of every active client, in the client's own today."""
    total = 0
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE):
        total += queue_messages_for_day(tenant=tenant, day=tenant_today(tenant)).queued
    return total
