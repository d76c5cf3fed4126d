"""Small builders for the contact-schedule tests (the ledger comes from tests/factories.py)."""

from __future__ import annotations

import datetime

from contact_schedule import services
from contact_schedule.models import ContactTask, ScheduleStep, ScheduleTemplate, ScheduleVersion
from tenants.models import Tenant


def client_schedule(tenant: Tenant, steps: list[dict]) -> ScheduleVersion:
    """A published schedule of the client's own with exactly `steps` (positions in list order)."""
    template = ScheduleTemplate.objects.create(tenant=tenant, name=f"{tenant.name} schedule")
    version = ScheduleVersion.objects.create(template=template, number=1)
    for position, fields in enumerate(steps, start=1):
        ScheduleStep.objects.create(
            version=version,
            position=position,
            message_template=fields.pop("message_template", "test"),
            **fields,
        )
    return services.publish_version(version=version)


def tasks_by_day(tenant: Tenant) -> dict[datetime.date, list[ContactTask]]:
    found: dict[datetime.date, list[ContactTask]] = {}
    for task in ContactTask.objects.for_tenant(tenant).select_related("step"):
        found.setdefault(task.planned_date, []).append(task)
    return found
