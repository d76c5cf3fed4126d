"""The stages of a planned day: which schedule steps are due, in which window, how advanced.

A stage is a step due on the day — its due dates (or, for express monitoring, hand-over days)
land on the day after the calendar's move rule, or deferred contacts of earlier days are carried
at that step — with the channel's window of the day (inside the operator's quiet hours) and a
rank: the more advanced the step, the higher. The planner turns them into SQL.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from contact_schedule import deferral
from contact_schedule.calendar import due_dates_scheduled_on, is_contact_day
from contact_schedule.limits import Limits, clip_to_quiet_hours
from contact_schedule.models import ContactTask, ContactWindow, ScheduleStep, ScheduleVersion
from contact_schedule.selectors import contact_windows_for, schedule_version_for
from invoices.models import Invoice
from tenants.models import Tenant

# Where a stage's day counts from: the due date, or (express monitoring) the hand-over day.
FROM_DUE_DATE, FROM_HANDOVER = "due_date", "handover"


@dataclass(frozen=True)
class Stage:
    """A step due on the planned day, for the due dates listed (most advanced = highest rank)."""

    rank: int
    step: ScheduleStep
    previous_step: ScheduleStep | None
    due_dates: tuple[datetime.date, ...]
    monitoring_modes: tuple[str, ...]
    # None for a carried step whose channel is closed on the day: its invoices are only
    # mentioned in the payer's task, never decide it (such stages rank below all others).
    window_start: datetime.datetime | None
    window_end: datetime.datetime | None
    # The consumers' window that day (`contact_windows_for(consumer=True)`); None when the
    # channel is closed to them that day (a consumer's task then waits for a day it is open).
    consumer_window_start: datetime.datetime | None
    consumer_window_end: datetime.datetime | None
    counted_from: str = FROM_DUE_DATE
    # Deferred tasks of earlier days whose invoices at this step are carried into the day.
    carried: QuerySet[ContactTask] | None = None


def day_hours(
    *, window: ContactWindow, day: datetime.date, limits: Limits
) -> tuple[datetime.time, datetime.time] | None:
    """A channel's hours on `day`: none on closed days, and never in the operator's quiet hours."""
    hours = window.hours_on(day)
    if hours is None or hours[0] >= hours[1]:
        return None
    if not is_contact_day(day, saturday=window.has_saturday):
        return None
    return clip_to_quiet_hours(hours, limits.budget)


def open_windows(*, tenant: Tenant, day: datetime.date, consumer: bool = False) -> dict[str, tuple]:
    """The channels that may reach the client's payers (its consumers: `consumer`) on `day`,
    with their (start, end) times."""
    limits = Limits.of(tenant)
    found = {}
    for channel, window in contact_windows_for(tenant=tenant, consumer=consumer).items():
        hours = day_hours(window=window, day=day, limits=limits)
        if hours is not None:
            found[channel] = hours
    return found


def stages_due(
    *, tenant: Tenant, day: datetime.date, carried: QuerySet[ContactTask] | None = None
) -> list[Stage]:
    """The client's steps due on `day` — a due date (or hand-over day) lands on it, or a deferred
    contact of an earlier day is carried at that step — ranked by how advanced.

    Steps whose channel has no window that day (escalation, which is not a contact) are not
    planned.
    """
    windows = contact_windows_for(tenant=tenant)
    hours_of = open_windows(tenant=tenant, day=day)
    consumer_hours_of = open_windows(tenant=tenant, day=day, consumer=True)
    found: dict[int, dict] = {}
    for version, modes in _versions_by_mode(tenant=tenant).values():
        counted_from = (
            FROM_HANDOVER
            if version.template.purpose == Invoice.MonitoringMode.SINGLE
            else FROM_DUE_DATE
        )
        previous = None
        for step in version.steps.all():  # ordered by position
            if step.channel in hours_of:
                due_dates = due_dates_scheduled_on(
                    day,
                    offset=step.offset_days,
                    business_days=step.business_days,
                    saturday=windows[step.channel].has_saturday,
                    legal_deadline=counted_from == FROM_DUE_DATE,
                )
                if due_dates:
                    found[step.pk] = {
                        "step": step,
                        "previous_step": previous,
                        "due_dates": tuple(due_dates),
                        "monitoring_modes": modes,
                        "counted_from": counted_from,
                    }
            previous = step
    if carried is not None:
        for step in deferral.carried_steps(tenant=tenant, tasks=carried):
            found.setdefault(step.pk, {"step": step, "previous_step": None, "due_dates": ()})
            found[step.pk]["carried"] = carried

    def advancement(fields: dict) -> tuple:
        step = fields["step"]
        return (step.channel in hours_of, step.offset_days, step.position)

    def moments(hours: tuple | None) -> list[datetime.datetime | None]:
        return [datetime.datetime.combine(day, t, tzinfo=tenant.zone) for t in hours or ()] or [
            None,
            None,
        ]

    stages = []
    for rank, fields in enumerate(sorted(found.values(), key=advancement), start=1):
        channel = fields["step"].channel
        start, end = moments(hours_of.get(channel))
        consumer_start, consumer_end = moments(consumer_hours_of.get(channel))
        stages.append(
            Stage(
                rank=rank,
                monitoring_modes=fields.pop("monitoring_modes", ()),
                window_start=start,
                window_end=end,
                consumer_window_start=consumer_start if start else None,
                consumer_window_end=consumer_end if start else None,
                **fields,
            )
        )
    return stages


def _versions_by_mode(*, tenant: Tenant) -> dict[int, tuple[ScheduleVersion, tuple[str, ...]]]:
    """Each schedule version in use by the client, with the monitoring modes that follow it."""
    by_version: dict[int, tuple[ScheduleVersion, tuple[str, ...]]] = {}
    for mode in Invoice.MonitoringMode.values:
        version = schedule_version_for(tenant=tenant, purpose=mode)
        if version is not None:
            _version, modes = by_version.get(version.pk, (version, ()))
            by_version[version.pk] = (version, (*modes, mode))
    return by_version
