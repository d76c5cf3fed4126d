"""Calendar acceptance over the planner itself: planning every day from mid-December 2026 to
after Easter 2027 — with contacts missed and carried, and express invoices — never puts a task on
a Sunday, a public holiday (24 December included) or outside its channel's window."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule.calendar import is_public_holiday
from contact_schedule.models import ContactTask, ContactWindow
from contact_schedule.planner import plan_day
from invoices.models import Invoice
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2026, 12, 14), D(2027, 4, 9)
CLOSED = [
    D(2026, 12, 24),  # Wigilia, a holiday from 2025
    D(2026, 12, 25),
    D(2026, 12, 26),  # a Saturday and a holiday: closed even for Saturday channels
    D(2027, 1, 1),
    D(2027, 1, 6),
    D(2027, 3, 28),  # Easter Sunday
    D(2027, 3, 29),  # Easter Monday
]


def days(start: datetime.date, end: datetime.date):
    while start <= end:
        yield start
        start += datetime.timedelta(days=1)


@pytest.fixture
def ledger(tenant):
    """Eight payers with invoices due every third day from November to March, and two express
    invoices handed over just before Christmas and just before Easter."""
    payers = [PayerFactory(tenant=tenant) for _ in range(8)]
    for n, due in enumerate(days(D(2026, 11, 1), D(2027, 3, 31))):
        if n % 3 == 0:
            InvoiceFactory(
                payer=payers[n % len(payers)],
                issue_date=due - datetime.timedelta(days=14),
                due_date=due,
            )
    for handed_over in (D(2026, 12, 23), D(2027, 3, 26)):
        invoice = InvoiceFactory(
            payer=payers[0], due_date=D(2026, 11, 20), issue_date=D(2026, 11, 1),
            monitoring_mode=Invoice.MonitoringMode.SINGLE,
        )  # fmt: skip
        moment = datetime.datetime.combine(handed_over, datetime.time(10), tzinfo=tenant.zone)
        Invoice.objects.filter(pk=invoice.pk).update(created_at=moment)
    return payers


def test_no_task_on_a_closed_day_or_outside_its_window_from_christmas_to_easter(tenant, ledger):
    for n, day in enumerate(days(START, END)):
        plan_day(tenant=tenant, day=day)
        # Every other day's contacts are made; the rest are missed and must be carried.
        if n % 2:
            ContactTask.objects.for_tenant(tenant).filter(planned_date=day).update(
                state=ContactTask.State.DONE
            )

    windows = {w.channel: w for w in ContactWindow.objects.operator_defaults()}
    tasks = list(ContactTask.objects.for_tenant(tenant))
    assert len(tasks) > 200
    planned_days = {task.planned_date for task in tasks}
    assert not planned_days & set(CLOSED)
    assert {D(2026, 12, 23), D(2026, 12, 28), D(2027, 3, 26), D(2027, 3, 30)} <= planned_days
    for task in tasks:
        assert task.planned_date.weekday() != 6, task
        assert not is_public_holiday(task.planned_date), task
        opens, closes = windows[task.channel].hours_on(task.planned_date)  # None: no hours
        start = task.window_start.astimezone(tenant.zone)
        end = task.window_end.astimezone(tenant.zone)
        assert start.date() == end.date() == task.planned_date
        assert opens <= start.time() < end.time() <= closes, task
    pairs = [(task.payer_id, task.planned_date) for task in tasks]
    assert len(pairs) == len(set(pairs))  # one task per payer per day throughout
    letters_on_saturday = [
        t for t in tasks if t.channel == "demand_letter" and t.planned_date.weekday() == 5
    ]
    assert letters_on_saturday == []


def test_missed_contacts_before_christmas_and_easter_are_carried_not_dropped(tenant, ledger):
    for day in days(D(2026, 12, 21), D(2026, 12, 29)):
        plan_day(tenant=tenant, day=day)
    for day in days(D(2027, 3, 24), D(2027, 3, 31)):
        plan_day(tenant=tenant, day=day)

    deferred = ContactTask.objects.for_tenant(tenant).filter(state=ContactTask.State.DEFERRED)
    assert deferred.exists()
    for task in deferred.filter(planned_date__in=[D(2026, 12, 23), D(2027, 3, 26)]):
        # The next contact days: Monday 28 December (the 26th is a holiday Saturday, then
        # Sunday), and Saturday 27 March before Easter for channels open on Saturdays.
        assert task.deferred_to in (D(2026, 12, 28), D(2027, 3, 27), D(2027, 3, 30)), task
        carrying = ContactTask.objects.for_tenant(tenant).get(
            payer=task.payer, planned_date=task.deferred_to
        )
        assert set(task.invoices.values_list("pk", flat=True)) <= set(
            carrying.invoices.values_list("pk", flat=True)
        )
