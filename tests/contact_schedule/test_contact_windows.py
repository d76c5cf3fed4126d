"""Contact windows: each task carries its channel's window; client overrides win; Saturdays
only for channels with Saturday hours; never Sundays or holidays."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule.models import ContactTask, ContactWindow
from contact_schedule.planner import plan_day
from tests.contact_schedule.helpers import client_schedule
from tests.factories import InvoiceFactory, PayerFactory, TenantFactory

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time


def local_window(task: ContactTask) -> tuple[datetime.datetime, datetime.datetime]:
    zone = task.tenant.zone
    return task.window_start.astimezone(zone), task.window_end.astimezone(zone)


def test_a_call_task_carries_the_operators_call_window_in_the_clients_zone(tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=D(2026, 12, 4))

    plan_day(tenant=tenant, day=D(2026, 12, 11))

    start, end = local_window(ContactTask.objects.for_tenant(tenant).get())
    assert (start, end) == (
        datetime.datetime(2026, 12, 11, 8, tzinfo=tenant.zone),
        datetime.datetime(2026, 12, 11, 20, tzinfo=tenant.zone),
    )


def test_a_clients_own_window_overrides_the_operators(tenant, other_tenant):
    ContactWindow.objects.create(
        tenant=tenant, channel="call", weekday_start=T(10), weekday_end=T(16)
    )
    for client in (tenant, other_tenant):
        InvoiceFactory(payer__tenant=client, due_date=D(2026, 12, 4))
        plan_day(tenant=client, day=D(2026, 12, 11))

    ours = local_window(ContactTask.objects.for_tenant(tenant).get())
    theirs = local_window(ContactTask.objects.for_tenant(other_tenant).get())
    assert (ours[0].hour, ours[1].hour) == (10, 16)
    assert (theirs[0].hour, theirs[1].hour) == (8, 20)


def test_a_window_follows_the_clients_time_zone():
    tenant = TenantFactory(time_zone="Europe/London")
    InvoiceFactory(payer__tenant=tenant, due_date=D(2026, 12, 4))

    plan_day(tenant=tenant, day=D(2026, 12, 11))

    task = ContactTask.objects.for_tenant(tenant).get()
    assert task.window_start == datetime.datetime(2026, 12, 11, 8, tzinfo=datetime.UTC)


def test_an_sms_due_on_a_saturday_goes_on_saturday_in_its_saturday_hours(tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=D(2026, 12, 4))  # +1 is Saturday 5 December

    plan_day(tenant=tenant, day=D(2026, 12, 5))

    task = ContactTask.objects.for_tenant(tenant).get()
    start, end = local_window(task)
    assert (task.channel, start.hour, end.hour) == ("sms", 9, 19)


def test_a_payment_demand_due_on_a_saturday_moves_to_monday(tenant):
    client_schedule(tenant, [{"offset_days": 10, "channel": "demand_letter"}])
    InvoiceFactory(payer__tenant=tenant, due_date=D(2026, 11, 25))  # +10: Saturday 5 December

    assert plan_day(tenant=tenant, day=D(2026, 12, 5)).tasks_created == 0
    assert plan_day(tenant=tenant, day=D(2026, 12, 7)).tasks_by_channel == {"demand_letter": 1}


def test_a_client_without_saturday_calls_gets_its_saturday_calls_on_monday(tenant):
    client_schedule(tenant, [{"offset_days": 7, "channel": "call"}])
    ContactWindow.objects.create(
        tenant=tenant, channel="call", weekday_start=T(8), weekday_end=T(18)
    )
    payer = PayerFactory(tenant=tenant)
    InvoiceFactory(payer=payer, due_date=D(2026, 11, 28))  # +7: Saturday 5 December

    assert plan_day(tenant=tenant, day=D(2026, 12, 5)).tasks_created == 0
    assert plan_day(tenant=tenant, day=D(2026, 12, 7)).tasks_created == 1


def test_a_step_whose_channel_has_no_window_is_not_planned(tenant):
    client_schedule(tenant, [{"offset_days": 90, "channel": "escalation"}])
    InvoiceFactory(
        payer__tenant=tenant, issue_date=D(2026, 9, 1), due_date=D(2026, 9, 12)
    )  # +90: Friday 11 December

    assert plan_day(tenant=tenant, day=D(2026, 12, 11)).tasks_created == 0
