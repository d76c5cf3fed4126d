"""A day's SMS, voice and e-mail contact tasks become queued messages (contact_schedule)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contact_schedule.messaging import queue_messages_for_day
from contact_schedule.models import ContactTask, ContactTaskInvoice, ScheduleStep
from dunning.models import Message
from payers.models import PayerContact
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
DAY = datetime.date(2026, 12, 3)


def task_for(tenant, payer, code: str, channel: str, invoices) -> ContactTask:
    step = ScheduleStep.objects.filter(
        version__template__tenant__isnull=True, message_template=code
    ).first()
    task = ContactTask.objects.create(
        tenant=tenant, payer=payer, planned_date=DAY, channel=channel, step=step,
        window_start=datetime.datetime(2026, 12, 3, 9, tzinfo=WARSAW),
        window_end=datetime.datetime(2026, 12, 3, 19, tzinfo=WARSAW),
    )  # fmt: skip
    for invoice in invoices:
        ContactTaskInvoice.objects.create(tenant=tenant, task=task, invoice=invoice, step=step)
    return task


def test_sms_voice_and_email_tasks_become_messages_once(tenant):
    sms_payer, voice_payer, mail_payer, call_payer = (PayerFactory(tenant=tenant) for _ in range(4))
    PayerContactFactory(payer=sms_payer, value="+48601000001", is_primary=True)
    PayerContactFactory(payer=voice_payer, value="+48601000002")
    PayerContactFactory(payer=mail_payer, kind=PayerContact.Kind.EMAIL, value="biuro@odbiorca.pl")
    PayerContactFactory(payer=call_payer, value="+48601000004")
    due = datetime.date(2026, 11, 20)
    invoice = InvoiceFactory(
        payer=sms_payer, number="FV/77/2026", due_date=due, gross_amount=Decimal("99.90")
    )
    sms_task = task_for(tenant, sms_payer, "overdue_sms", "sms", [invoice])
    voice_task = task_for(
        tenant, voice_payer, "overdue_voice", "voice", [InvoiceFactory(payer=voice_payer)]
    )
    task_for(tenant, mail_payer, "payment_demand", "email", [InvoiceFactory(payer=mail_payer)])
    task_for(tenant, call_payer, "overdue_call", "call", [InvoiceFactory(payer=call_payer)])

    first = queue_messages_for_day(tenant=tenant, day=DAY)
    again = queue_messages_for_day(tenant=tenant, day=DAY)

    messages = {m.channel: m for m in Message.objects.for_tenant(tenant)}
    assert (first.queued, again.queued) == (3, 3)
    assert sorted(messages) == ["email", "sms", "voice"]  # calls go to the agent screen
    sms = messages["sms"]
    assert (sms.contact_task_id, sms.recipient, sms.template_code) == (
        sms_task.id,
        "+48601000001",
        "overdue_sms",
    )
    assert "FV/77/2026" in sms.body and "99,90 zł" in sms.body and "13 dni po terminie" in sms.body
    assert sms.invoice_ids == [invoice.id]
    assert messages["voice"].promise_date == DAY + datetime.timedelta(days=7)
    assert messages["voice"].contact_task_id == voice_task.id
    assert messages["email"].subject.startswith("Wezwanie do zapłaty")


def test_a_payer_without_a_usable_number_is_skipped_not_failed(tenant):
    payer = PayerFactory(tenant=tenant)
    contact = PayerContactFactory(payer=payer, value="+48601000009")
    contact.is_wrong = True
    contact.save()
    task_for(tenant, payer, "overdue_sms", "sms", [InvoiceFactory(payer=payer)])

    report = queue_messages_for_day(tenant=tenant, day=DAY)

    assert (report.queued, report.skipped) == (0, 1)
    assert not Message.objects.for_tenant(tenant).exists()


def test_another_clients_tasks_are_not_touched(tenant, other_tenant):
    payer = PayerFactory(tenant=other_tenant)
    PayerContactFactory(payer=payer, value="+48601000010")
    task_for(other_tenant, payer, "overdue_sms", "sms", [InvoiceFactory(payer=payer)])

    report = queue_messages_for_day(tenant=tenant, day=DAY)

    assert report.queued == 0
    assert not Message.objects.exists()


def test_the_weekly_sms_limit_holds_back_a_third_sms(tenant):
    from dunning.outbox import enqueue_message

    payer = PayerFactory(tenant=tenant)
    PayerContactFactory(payer=payer, value="+48601000020")
    for body in ("Pierwszy", "Drugi"):  # the operator's default: two SMS a week
        enqueue_message(
            tenant=tenant, payer=payer, channel="sms", recipient="+48601000020", body=body,
            now=datetime.datetime(2026, 12, 1, 10, tzinfo=WARSAW),
        )  # fmt: skip
    task_for(tenant, payer, "overdue_sms", "sms", [InvoiceFactory(payer=payer)])

    report = queue_messages_for_day(tenant=tenant, day=DAY)

    assert (report.queued, report.skipped) == (0, 1)
    assert Message.objects.for_tenant(tenant).count() == 2
