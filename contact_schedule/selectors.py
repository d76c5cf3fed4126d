"""Reads for the contact schedule: which schedule, windows and limits apply to a client."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from contact_schedule.models import (
    CONTACT_CHANNELS,
    ContactLimits,
    ContactTask,
    ContactWindow,
    PlannerRun,
    ScheduleTemplate,
    ScheduleVersion,
)
from imports.drop_folder import import_settings_of
from invoices.models import Invoice
from invoices.selectors import unsettled_invoices
from tenants.models import Tenant

# Statuses the planner contacts about; disputed and escalated invoices are someone else's now.
MONITORED_STATUSES = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)


def monitored_invoices(*, tenant: Tenant) -> QuerySet[Invoice]:
    """The client's invoices the schedule contacts about: money owed, not disputed, not escalated,
    and a payer that may be contacted."""
    return unsettled_invoices(tenant=tenant).filter(
        status__in=MONITORED_STATUSES, payer__do_not_contact=False
    )


def published_version(template: ScheduleTemplate) -> ScheduleVersion | None:
    """The template's newest published version (None while it has only drafts)."""
    return (
        template.versions.filter(published_at__isnull=False)
        .order_by("-number")
        .prefetch_related("steps")
        .first()
    )


def schedule_version_for(*, tenant: Tenant, purpose: str) -> ScheduleVersion | None:
    """The version the client's invoices of `purpose` follow: its own published copy, else the
    operator's default for that purpose, else (no default for the purpose published) the
    operator's programme."""
    candidates = [
        ScheduleTemplate.objects.for_tenant(tenant).filter(purpose=purpose).first(),
        ScheduleTemplate.objects.operator_defaults().filter(purpose=purpose).first(),
        ScheduleTemplate.objects.operator_defaults()
        .filter(purpose=Invoice.MonitoringMode.PROGRAM)
        .first(),
    ]
    for template in candidates:
        version = published_version(template) if template else None
        if version is not None:
            return version
    return None


def contact_windows_for(*, tenant: Tenant) -> dict[str, ContactWindow]:
    """Each contact channel's window for the client: its override, else the operator's."""
    windows = {window.channel: window for window in ContactWindow.objects.operator_defaults()}
    windows.update({window.channel: window for window in ContactWindow.objects.for_tenant(tenant)})
    return {channel: windows[channel] for channel in CONTACT_CHANNELS if channel in windows}


def contact_limits_for(*, tenant: Tenant) -> ContactLimits:
    """The client's limits: its override, else the operator's (unsaved defaults if neither)."""
    return (
        ContactLimits.objects.for_tenant(tenant).first()
        or ContactLimits.objects.operator_defaults().first()
        or ContactLimits()
    )


def contact_tasks_of(*, tenant: Tenant, day: datetime.date | None = None) -> QuerySet[ContactTask]:
    tasks = ContactTask.objects.for_tenant(tenant).select_related("payer", "step")
    return tasks.filter(planned_date=day) if day else tasks


# Hours between the end of a client's import window and its plan, for the queued import batches
# to finish.
PLANNER_DELAY_HOURS = 1


def planning_hour(*, tenant: Tenant) -> int:
    """The local hour from which the client's day is planned: after its nightly import window
    (import hour + 1) and the delay; 23 at the latest."""
    import_hour = import_settings_of(tenant=tenant).import_hour
    return min(import_hour + 1 + PLANNER_DELAY_HOURS, 23)


def clients_due_for_planning(
    *, now: datetime.datetime | None = None
) -> list[tuple[Tenant, datetime.date]]:
    """Active clients whose planning hour has come today (their zone) and whose day is unplanned."""
    now = now or timezone.now()
    due = []
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk"):
        local = timezone.localtime(now, tenant.zone)
        if local.hour < planning_hour(tenant=tenant):
            continue
        if not PlannerRun.objects.for_tenant(tenant).filter(planned_date=local.date()).exists():
            due.append((tenant, local.date()))
    return due
