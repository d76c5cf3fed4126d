"""Beat plans each active client's day once, after its nightly import window."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from contact_schedule import services, tasks
from contact_schedule.models import ContactTask, PlannerRun
from contact_schedule.selectors import clients_due_for_planning
from imports.models import ImportSettings
from tenants.models import Tenant
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 11)


def warsaw(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, 11, hour, minute, tzinfo=ZoneInfo("Europe/Warsaw"))


def test_a_client_is_due_from_two_hours_after_its_import_hour(tenant):
    ImportSettings.objects.create(tenant=tenant, import_hour=3)  # window 03:00–04:00

    assert clients_due_for_planning(now=warsaw(4, 45)) == []
    assert clients_due_for_planning(now=warsaw(5, 0)) == [(tenant, DAY)]


def test_without_import_settings_the_default_import_hour_applies(tenant):
    assert clients_due_for_planning(now=warsaw(3, 59)) == []
    assert clients_due_for_planning(now=warsaw(4, 0)) == [(tenant, DAY)]


def test_a_client_importing_in_the_evening_is_planned_for_the_next_day(tenant):
    # Planned from 21:00, after every contact window has closed (calls until 20:00).
    ImportSettings.objects.create(tenant=tenant, import_hour=19)

    assert clients_due_for_planning(now=warsaw(20, 59)) == []
    assert clients_due_for_planning(now=warsaw(21, 0)) == [(tenant, DAY + datetime.timedelta(1))]
    services.plan_scheduled_day(tenant=tenant, day=DAY + datetime.timedelta(1))
    assert clients_due_for_planning(now=warsaw(23, 30)) == []


def test_suspended_clients_and_planned_days_are_not_due(tenant, other_tenant):
    other_tenant.status = Tenant.Status.SUSPENDED
    other_tenant.save()
    services.plan_scheduled_day(tenant=tenant, day=DAY)

    assert clients_due_for_planning(now=warsaw(12)) == []


def test_a_day_is_planned_once_however_often_beat_asks(tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=datetime.date(2026, 12, 4))

    first = services.plan_scheduled_day(tenant=tenant, day=DAY)
    second = services.plan_scheduled_day(tenant=tenant, day=DAY)

    assert first.tasks_created == 1 and second is None
    run = PlannerRun.objects.for_tenant(tenant).get()
    assert run.tasks_created == 1 and run.finished_at is not None
    assert ContactTask.objects.for_tenant(tenant).count() == 1


def test_the_beat_task_queues_one_plan_per_due_client(tenant, other_tenant, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.plan_client_day, "delay", lambda *args: queued.append(args))
    monkeypatch.setattr(
        "contact_schedule.selectors.timezone.now", lambda: warsaw(6).astimezone(datetime.UTC)
    )

    assert tasks.plan_due_clients() == 2
    assert sorted(queued) == sorted([(tenant.pk, "2026-12-11"), (other_tenant.pk, "2026-12-11")])


def test_the_client_task_plans_by_id(tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=datetime.date(2026, 12, 4))

    assert tasks.plan_client_day(tenant.pk, "2026-12-11") == 1
    assert tasks.plan_client_day(tenant.pk, "2026-12-11") is None
