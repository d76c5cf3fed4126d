"""The daily planner: one task per payer per day, the most advanced stage decides, reruns are
idempotent, and nothing lands on a closed day or outside its window."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from contact_schedule.calendar import is_contact_day
from contact_schedule.models import (
    ContactTask,
    ContactTaskInvoice,
    ContactWindow,
    ScheduleVersion,
)
from contact_schedule.planner import plan_day
from invoices.models import Invoice
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def invoice(payer, due: datetime.date, **fields) -> Invoice:
    return InvoiceFactory(
        payer=payer, issue_date=due - datetime.timedelta(days=30), due_date=due, **fields
    )


def test_a_payer_with_twelve_invoices_at_different_stages_gets_exactly_one_task_a_day(tenant):
    payer = PayerFactory(tenant=tenant)
    start = D(2026, 12, 1)
    dues = [start + datetime.timedelta(days=offset) for offset in range(-40, 80, 10)]
    assert len(dues) == 12
    for due in dues:
        invoice(payer, due)
    windows = {w.channel: w for w in ContactWindow.objects.operator_defaults()}

    for n in range(120):
        plan_day(tenant=tenant, day=start + datetime.timedelta(days=n))

    tasks = list(ContactTask.objects.for_tenant(tenant).select_related("step"))
    days = [task.planned_date for task in tasks]
    assert len(days) == len(set(days))  # never two tasks for the payer on one day
    assert len(tasks) > 40  # and it is contacted through the whole period
    for task in tasks:
        window = windows[task.channel]
        assert is_contact_day(task.planned_date, saturday=window.has_saturday)
        assert task.planned_date.weekday() != 6
        start_time, end_time = window.hours_on(task.planned_date)
        local_start = task.window_start.astimezone(tenant.zone)
        local_end = task.window_end.astimezone(tenant.zone)
        assert (local_start.date(), local_start.time()) == (task.planned_date, start_time)
        assert (local_end.date(), local_end.time()) == (task.planned_date, end_time)
    closed = {D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 26), D(2027, 1, 1), D(2027, 1, 6)}
    assert not closed & set(days)


def test_the_most_advanced_stage_decides_and_the_other_invoices_are_mentioned(tenant):
    payer = PayerFactory(tenant=tenant)
    day = D(2026, 12, 11)  # Friday
    demand = invoice(payer, day - datetime.timedelta(days=10))  # +10: payment demand
    call = invoice(payer, day - datetime.timedelta(days=7))  # +7: call
    invoice(payer, day - datetime.timedelta(days=2))  # +2: nothing due today

    result = plan_day(tenant=tenant, day=day)

    assert result.tasks_created == 1
    assert result.tasks_by_channel == {"demand_letter": 1}
    task = ContactTask.objects.for_tenant(tenant).get()
    assert (task.channel, task.step.offset_days) == ("demand_letter", 10)
    stages = {row.invoice_id: row.step.offset_days for row in task.covered.select_related("step")}
    assert stages == {demand.pk: 10, call.pk: 7}


def test_a_rerun_for_the_same_day_creates_nothing(tenant):
    day = D(2026, 12, 11)
    for n in range(5):
        invoice(PayerFactory(tenant=tenant), day - datetime.timedelta(days=7 + n))

    first = plan_day(tenant=tenant, day=day)
    second = plan_day(tenant=tenant, day=day)

    assert first.tasks_created >= 1
    assert (second.tasks_created, second.invoices_covered) == (0, 0)
    assert second.tasks_by_channel == first.tasks_by_channel
    assert ContactTask.objects.for_tenant(tenant).count() == first.tasks_created


def test_an_invoice_imported_later_in_the_day_joins_the_payers_task(tenant):
    payer = PayerFactory(tenant=tenant)
    day = D(2026, 12, 11)
    invoice(payer, day - datetime.timedelta(days=10))
    plan_day(tenant=tenant, day=day)
    late = invoice(payer, day - datetime.timedelta(days=7))

    result = plan_day(tenant=tenant, day=day)

    assert (result.tasks_created, result.invoices_covered) == (0, 1)
    task = ContactTask.objects.for_tenant(tenant).get()
    assert late in task.invoices.all()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Invoice.Status.PAID, "outstanding_amount": Decimal("0.00")},
        {"status": Invoice.Status.CANCELLED},
        {"status": Invoice.Status.DISPUTED},
        {"status": Invoice.Status.ESCALATED},
        {"status": Invoice.Status.OPEN, "outstanding_amount": Decimal("0.00")},
    ],
)
def test_settled_disputed_or_escalated_invoices_are_not_contacted(tenant, fields):
    day = D(2026, 12, 11)
    invoice(PayerFactory(tenant=tenant), day - datetime.timedelta(days=7), **fields)

    assert plan_day(tenant=tenant, day=day).tasks_created == 0


def test_a_partially_paid_invoice_is_still_contacted(tenant):
    day = D(2026, 12, 11)
    invoice(
        PayerFactory(tenant=tenant),
        day - datetime.timedelta(days=7),
        status=Invoice.Status.PARTIALLY_PAID,
        outstanding_amount=Decimal("100.00"),
    )

    assert plan_day(tenant=tenant, day=day).tasks_created == 1


def test_a_payer_marked_do_not_contact_gets_no_task(tenant):
    payer = PayerFactory(
        tenant=tenant, do_not_contact=True, do_not_contact_reason="Objection (RODO art. 21)"
    )
    invoice(payer, D(2026, 12, 4))

    assert plan_day(tenant=tenant, day=D(2026, 12, 11)).tasks_created == 0


def test_nothing_is_planned_on_sundays_and_holidays(tenant):
    payer = PayerFactory(tenant=tenant)
    for n in range(-5, 100):
        invoice(payer, D(2026, 12, 1) - datetime.timedelta(days=n))

    for closed in (D(2026, 12, 6), D(2026, 12, 24), D(2026, 12, 25), D(2027, 1, 1)):
        assert plan_day(tenant=tenant, day=closed).tasks_created == 0
    assert not ContactTask.objects.for_tenant(tenant).exists()


def test_express_invoices_follow_the_programme_until_an_express_schedule_exists(tenant):
    """Without a published express schedule (the operator withdrew it), express invoices follow
    the programme, counted from the due date."""
    ScheduleVersion.objects.filter(template__purpose=Invoice.MonitoringMode.SINGLE).update(
        published_at=None
    )
    day = D(2026, 12, 11)
    invoice(
        PayerFactory(tenant=tenant),
        day - datetime.timedelta(days=7),
        monitoring_mode=Invoice.MonitoringMode.SINGLE,
    )

    assert plan_day(tenant=tenant, day=day).tasks_by_channel == {"call": 1}


def test_every_covered_invoice_belongs_to_the_tasks_payer(tenant):
    day = D(2026, 12, 11)
    for _ in range(3):
        payer = PayerFactory(tenant=tenant)
        invoice(payer, day - datetime.timedelta(days=7))
        invoice(payer, day - datetime.timedelta(days=10))

    plan_day(tenant=tenant, day=day)

    rows = ContactTaskInvoice.objects.for_tenant(tenant).select_related("task", "invoice")
    assert rows.count() == 6
    assert all(row.invoice.payer_id == row.task.payer_id for row in rows)
