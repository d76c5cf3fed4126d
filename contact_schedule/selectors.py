"""Reads for the contact schedule: which schedule, windows and limits apply to a client."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from contact_schedule.models import (
    CONTACT_CHANNELS,
    ContactLimits,
    ContactTask,
    ContactWindow,
    Hold,
    Outcome,
    OutcomeRules,
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


def monitored_invoices(*, tenant: Tenant, day: datetime.date | None = None) -> QuerySet[Invoice]:
    """The client's invoices the schedule contacts about: money owed, not disputed, not escalated,
    and a payer that may be contacted; with `day`, also not paused or stopped on that day."""
    invoices = unsettled_invoices(tenant=tenant).filter(
        status__in=MONITORED_STATUSES, payer__do_not_contact=False
    )
    if day is None:
        return invoices
    # Two anti-joins (NOT EXISTS), so the planner stays one set-based statement.
    holds = holds_in_force(tenant=tenant, day=day)
    return invoices.exclude(Exists(holds.filter(invoice=OuterRef("pk")))).exclude(
        Exists(holds.filter(invoice__isnull=True, payer=OuterRef("payer_id")))
    )


def in_force_q(day: datetime.date) -> Q:
    """Holds in force on `day`: started, not ended (ends_on is inclusive), not lifted."""
    return Q(lifted_at__isnull=True, starts_on__lte=day) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )


def holds_in_force(*, tenant: Tenant, day: datetime.date) -> QuerySet[Hold]:
    return Hold.objects.for_tenant(tenant).filter(in_force_q(day))


def holds_of(*, tenant: Tenant, payer) -> QuerySet[Hold]:
    """A payer's pauses and stops, in force or not (the history)."""
    return Hold.objects.for_tenant(tenant).filter(payer=payer).select_related("invoice")


def outcome_rules_for(*, tenant: Tenant) -> OutcomeRules:
    """The client's outcome rules: its override, else the operator's (defaults if neither)."""
    return (
        OutcomeRules.objects.for_tenant(tenant).first()
        or OutcomeRules.objects.operator_defaults().first()
        or OutcomeRules()
    )


def outcomes_of(*, tenant: Tenant, payer) -> QuerySet[Outcome]:
    """A payer's outcomes, newest first, with their invoices."""
    return (
        Outcome.objects.for_tenant(tenant)
        .filter(payer=payer)
        .select_related("user", "task")
        .prefetch_related("invoices")
    )


def open_promises(*, tenant: Tenant, day: datetime.date) -> QuerySet[Outcome]:
    """Promises to pay on `day` that are neither kept nor broken yet."""
    return Outcome.objects.for_tenant(tenant).filter(
        kind=Outcome.Kind.PROMISE,
        promise_state=Outcome.PromiseState.PENDING,
        promised_date=day,
    )


def broken_promises(*, tenant: Tenant, since: datetime.date) -> QuerySet[Outcome]:
    """Promises found broken on or after `since` (the flag the agent screen and client see)."""
    return Outcome.objects.for_tenant(tenant).filter(
        kind=Outcome.Kind.PROMISE,
        promise_state=Outcome.PromiseState.BROKEN,
        promise_checked_at__date__gte=since,
    )


def sales_disturbances(
    *, tenant: Tenant, state: str = Outcome.DisputeState.OPEN
) -> QuerySet[Outcome]:
    """Disputes flagged to the client as disturbances in its sales process, by category."""
    return (
        Outcome.objects.for_tenant(tenant)
        .filter(kind=Outcome.Kind.DISPUTE, dispute_state=state)
        .select_related("payer")
        .prefetch_related("invoices")
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


def contact_windows_for(*, tenant: Tenant, consumer: bool = False) -> dict[str, ContactWindow]:
    """Each contact channel's window for the client: its override, else the operator's.

    For the client's consumers (`consumer`) an override only ever narrows: they get the gentler
    of any two settings (DOMAIN.md §4), the hours both windows share (`narrowest_window`).
    """
    operator = {window.channel: window for window in ContactWindow.objects.operator_defaults()}
    windows = dict(operator)
    for window in ContactWindow.objects.for_tenant(tenant):
        default = operator.get(window.channel)
        windows[window.channel] = (
            narrowest_window(window, default) if consumer and default else window
        )
    return {channel: windows[channel] for channel in CONTACT_CHANNELS if channel in windows}


def narrowest_window(one: ContactWindow, other: ContactWindow) -> ContactWindow:
    """An unsaved window of the hours `one` and `other` share: the later start, the earlier end;
    Saturdays only when both have them. Hours that do not overlap leave the day closed
    (start ≥ end, which `contact_schedule.stages.day_hours` reads as no hours)."""
    saturday_start = saturday_end = None
    if one.has_saturday and other.has_saturday:
        saturday_start = max(one.saturday_start, other.saturday_start)
        saturday_end = min(one.saturday_end, other.saturday_end)
    return ContactWindow(
        tenant=one.tenant,
        channel=one.channel,
        weekday_start=max(one.weekday_start, other.weekday_start),
        weekday_end=min(one.weekday_end, other.weekday_end),
        saturday_start=saturday_start,
        saturday_end=saturday_end,
    )


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


def plans_the_next_day(*, tenant: Tenant) -> bool:
    """Whether the client's planning hour comes after its contact windows have closed (an evening
    import): its plan is then for the next day, as a plan for a day already over would defer
    every contact to the day after. Fixed per client (not per day), so no day is skipped."""
    windows = contact_windows_for(tenant=tenant).values()
    latest = max((window.weekday_end for window in windows), default=None)
    return latest is not None and datetime.time(planning_hour(tenant=tenant)) >= latest


def clients_due_for_planning(
    *, now: datetime.datetime | None = None
) -> list[tuple[Tenant, datetime.date]]:
    """Active clients whose planning hour has come today (their zone) and whose day is unplanned:
    today, or tomorrow for a client planned after its windows close (`plans_the_next_day`)."""
    now = now or timezone.now()
    due = []
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk"):
        local = timezone.localtime(now, tenant.zone)
        if local.hour < planning_hour(tenant=tenant):
            continue
        day = local.date()
        if plans_the_next_day(tenant=tenant):
            day += datetime.timedelta(days=1)
        if not PlannerRun.objects.for_tenant(tenant).filter(planned_date=day).exists():
            due.append((tenant, day))
    return due


def clients_due_for_outcome_checks(
    *, now: datetime.datetime | None = None
) -> list[tuple[Tenant, datetime.date]]:
    """Active clients whose local hour is their planning hour: the day's checks run then, once."""
    now = now or timezone.now()
    due = []
    for tenant in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk"):
        local = timezone.localtime(now, tenant.zone)
        if local.hour == planning_hour(tenant=tenant):
            due.append((tenant, local.date()))
    return due
