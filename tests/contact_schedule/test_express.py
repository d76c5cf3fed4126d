"""Express single-invoice monitoring in the planner: the express schedule counts from the day the
invoice was handed over, and the hand-over plans the payer at once (on commit)."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule import tasks
from contact_schedule.calendar import is_contact_day
from contact_schedule.models import ContactTask
from contact_schedule.planner import plan_day
from invoices.models import Invoice
from invoices.services import hand_over_invoice
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def express_invoice(payer, *, handed_over: datetime.datetime, due: datetime.date) -> Invoice:
    invoice = InvoiceFactory(
        payer=payer,
        issue_date=due - datetime.timedelta(days=30),
        due_date=due,
        monitoring_mode=Invoice.MonitoringMode.SINGLE,
    )
    Invoice.objects.filter(pk=invoice.pk).update(created_at=handed_over)
    return invoice


def local(tenant, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tenant.zone)


def planned(tenant) -> dict[datetime.date, tuple[str, int, str]]:
    return {
        task.planned_date: (task.channel, task.step.offset_days, task.step.message_template)
        for task in ContactTask.objects.for_tenant(tenant).select_related("step")
    }


def test_the_express_schedule_starts_on_the_hand_over_day_whatever_the_due_date(tenant):
    payer = PayerFactory(tenant=tenant)
    handed_over = D(2026, 12, 9)  # Wednesday; the invoice is 40 days overdue
    express_invoice(payer, handed_over=local(tenant, handed_over, 11), due=D(2026, 10, 30))

    for n in range(9):
        plan_day(tenant=tenant, day=handed_over + datetime.timedelta(days=n))
        ContactTask.objects.for_tenant(tenant).update(state=ContactTask.State.DONE)

    assert planned(tenant) == {
        D(2026, 12, 9): ("call", 0, "express_call"),
        D(2026, 12, 10): ("sms", 1, "express_sms"),
        D(2026, 12, 12): ("call", 3, "overdue_call"),  # Saturday: calls have Saturday hours
        D(2026, 12, 14): ("voice", 5, "overdue_voice"),  # +5 is Sunday: the next contact day
        D(2026, 12, 16): ("demand_letter", 7, "payment_demand"),
    }


def test_the_programmes_invoices_of_the_same_payer_keep_their_due_date_schedule(tenant):
    payer = PayerFactory(tenant=tenant)
    day = D(2026, 12, 11)
    express = express_invoice(payer, handed_over=local(tenant, day, 9), due=D(2026, 12, 30))
    programme = InvoiceFactory(payer=payer, issue_date=D(2026, 11, 1), due_date=D(2026, 12, 1))

    plan_day(tenant=tenant, day=day)  # programme: +10, a demand; express: day 0, a call

    task = ContactTask.objects.for_tenant(tenant).get()
    assert task.channel == "demand_letter"  # the most advanced stage decides, one task
    stages = {row.invoice_id: row.step.message_template for row in task.covered.all()}
    assert stages == {programme.pk: "payment_demand", express.pk: "express_call"}


def test_a_hand_over_late_in_the_evening_counts_in_the_clients_own_day(tenant):
    payer = PayerFactory(tenant=tenant)
    # 23:30 in Warsaw is 22:30 UTC on the same day: the day of reference is 10 December.
    express_invoice(payer, handed_over=local(tenant, D(2026, 12, 10), 23, 30), due=D(2026, 12, 1))

    plan_day(tenant=tenant, day=D(2026, 12, 11))

    assert planned(tenant) == {D(2026, 12, 11): ("sms", 1, "express_sms")}


def test_an_invoice_handed_over_on_christmas_eve_starts_after_the_holidays(tenant):
    payer = PayerFactory(tenant=tenant)
    express_invoice(payer, handed_over=local(tenant, D(2026, 12, 24), 10), due=D(2026, 12, 1))

    for n in range(6):
        plan_day(tenant=tenant, day=D(2026, 12, 24) + datetime.timedelta(days=n))

    tasks_ = ContactTask.objects.for_tenant(tenant).select_related("step")
    # Day 0, +1 and +3 (Sunday 27th) all move to Monday 28 December, where the most advanced
    # decides; the others are mentioned in the same contact. +5 is Tuesday 29th.
    assert [(t.planned_date, t.step.offset_days) for t in tasks_] == [
        (D(2026, 12, 28), 3),
        (D(2026, 12, 29), 5),
    ]


def test_the_hand_over_plans_the_payer_at_once_on_commit(
    tenant, django_capture_on_commit_callbacks, monkeypatch
):
    # The queue hands the task straight to the worker function (the worker itself is Celery's).
    monkeypatch.setattr(tasks.plan_express_invoice, "delay", tasks.plan_express_invoice)
    other_payer = PayerFactory(tenant=tenant)
    InvoiceFactory(payer=other_payer, due_date=tenant_today(tenant) - datetime.timedelta(days=7))
    today = tenant_today(tenant)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invoice = hand_over_invoice(
            tenant=tenant,
            payer=PayerFactory(tenant=tenant),
            number="FV/E/1",
            issue_date=today - datetime.timedelta(days=60),
            due_date=today - datetime.timedelta(days=30),
            gross_amount="500.00",
        )

    assert len(callbacks) == 1
    tasks_today = ContactTask.objects.for_tenant(tenant).filter(planned_date=today)
    # Only the express invoice's payer is planned now; the nightly plan does the others.
    expected = 1 if is_contact_day(today, saturday=True) else 0  # no calls on Sundays, holidays
    assert tasks_today.count() == expected
    assert not tasks_today.filter(payer=other_payer).exists()
    if expected:
        assert list(tasks_today.get().invoices.all()) == [invoice]


def test_a_programme_hand_over_queues_no_plan(tenant, django_capture_on_commit_callbacks):
    today = tenant_today(tenant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hand_over_invoice(
            tenant=tenant,
            payer=PayerFactory(tenant=tenant),
            number="FV/P/1",
            issue_date=today,
            due_date=today + datetime.timedelta(days=14),
            gross_amount="500.00",
            express=False,
        )

    assert callbacks == []


def test_the_express_task_plans_only_its_clients_invoice(tenant, other_tenant):
    invoice = InvoiceFactory(
        payer=PayerFactory(tenant=tenant), monitoring_mode=Invoice.MonitoringMode.SINGLE
    )

    with pytest.raises(Invoice.DoesNotExist):
        tasks.plan_express_invoice(other_tenant.pk, invoice.pk)
    assert not ContactTask.objects.for_tenant(other_tenant).exists()
