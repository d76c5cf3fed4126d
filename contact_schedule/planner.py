"""The daily planner: one `ContactTask` per payer per day, set-based.

For a day T and a step, the due dates whose step lands on T (after the move rule) are few and
computed in Python from the calendar (`due_dates_scheduled_on`). One query then ranks every
monitored invoice due for contact today by its most advanced step (a CASE over `due_date IN (…)`
and the step's conditions) into a temporary table. From it, INSERT … SELECT … ON CONFLICT DO
NOTHING writes one task per payer (MAX of the rank: the most advanced stage decides the channel),
and a second one records which invoices each task covers and at which stage. No row passes
through Python, and the unique (tenant, payer, planned_date) makes a rerun create nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from contact_schedule.calendar import due_dates_scheduled_on
from contact_schedule.models import (
    ContactTask,
    ContactTaskInvoice,
    ContactWindow,
    ScheduleStep,
    ScheduleVersion,
)
from contact_schedule.selectors import (
    contact_windows_for,
    monitored_invoices,
    schedule_version_for,
)
from invoices.models import Invoice
from tenants.models import Tenant
from tenants.selectors import tenant_today

OPEN_TASK_STATES = (ContactTask.State.PLANNED, ContactTask.State.DEFERRED)
# The day's staged invoices (id, payer_id, stage_rank), a temporary table of the transaction:
# computed once, read by both inserts, so no statement reads a table while writing it.
STAGED_TABLE = "contact_plan_staged"
# From this many new tasks in one plan, refresh the task table's statistics before using it.
ANALYZE_AFTER_TASKS = 5_000


@dataclass(frozen=True)
class Stage:
    """A step due on the planned day, for the due dates listed (most advanced = highest rank)."""

    rank: int
    step: ScheduleStep
    previous_step: ScheduleStep | None
    due_dates: tuple[datetime.date, ...]
    monitoring_modes: tuple[str, ...]
    window_start: datetime.datetime
    window_end: datetime.datetime


@dataclass(frozen=True)
class PlanResult:
    day: datetime.date
    tasks_created: int
    invoices_covered: int
    tasks_by_channel: dict[str, int] = field(default_factory=dict)  # all of the day's tasks


def plan_day(*, tenant: Tenant, day: datetime.date | None = None) -> PlanResult:
    """Write the client's contact tasks for `day` (default: today in its zone); idempotent."""
    day = day or tenant_today(tenant)
    stages = stages_due(tenant=tenant, day=day)
    tasks_created = invoices_covered = 0
    if stages:
        with transaction.atomic():
            _postgresql_settings()
            _create_staged_table(tenant=tenant, day=day, stages=stages)
            tasks_created = _insert_tasks(tenant=tenant, day=day, stages=stages)
            if tasks_created >= ANALYZE_AFTER_TASKS:
                _postgresql_analyze(ContactTask._meta.db_table)
            invoices_covered = _insert_covered_invoices(tenant=tenant, day=day, stages=stages)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(STAGED_TABLE)}")
    by_channel = (
        ContactTask.objects.for_tenant(tenant)
        .filter(planned_date=day)
        .values("channel")
        .annotate(count=Count("id"))
        .order_by("channel")
    )
    return PlanResult(
        day=day,
        tasks_created=tasks_created,
        invoices_covered=invoices_covered,
        tasks_by_channel={row["channel"]: row["count"] for row in by_channel},
    )


def _postgresql_settings() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Compiling the wide CASE costs PostgreSQL's JIT seconds and saves little.
        cursor.execute("SET LOCAL jit = off")
        # A plan lost in a crash right after COMMIT is simply planned again (the beat claim
        # goes with it), so the commit need not wait for the disk.
        cursor.execute("SET LOCAL synchronous_commit = off")


def _postgresql_analyze(table: str) -> None:
    """Statistics that do not yet count the rows just written make PostgreSQL plan nested loops
    over all of them; ANALYZE inside the transaction sees its own rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def stages_due(*, tenant: Tenant, day: datetime.date) -> list[Stage]:
    """The client's steps with at least one due date landing on `day`, ranked by how advanced.

    Steps whose channel has no window (escalation, which is not a contact) are not planned.
    """
    windows = contact_windows_for(tenant=tenant)
    found: list[tuple[ScheduleStep, ScheduleStep | None, tuple, tuple, ContactWindow]] = []
    for version, modes in _versions_by_mode(tenant=tenant).values():
        previous = None
        for step in version.steps.all():  # ordered by position
            window = windows.get(step.channel)
            hours = window.hours_on(day) if window else None
            if hours is not None:
                due_dates = due_dates_scheduled_on(
                    day,
                    offset=step.offset_days,
                    business_days=step.business_days,
                    saturday=window.has_saturday,
                )
                if due_dates:
                    found.append((step, previous, tuple(due_dates), modes, window))
            previous = step
    found.sort(key=lambda item: (item[0].offset_days, item[0].position))
    stages = []
    for rank, (step, previous, due_dates, modes, window) in enumerate(found, start=1):
        start, end = window.hours_on(day)
        stages.append(
            Stage(
                rank=rank,
                step=step,
                previous_step=previous,
                due_dates=due_dates,
                monitoring_modes=modes,
                window_start=datetime.datetime.combine(day, start, tzinfo=tenant.zone),
                window_end=datetime.datetime.combine(day, end, tzinfo=tenant.zone),
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


def _stage_condition(tenant: Tenant, stage: Stage) -> Q:
    step = stage.step
    condition = Q(due_date__in=stage.due_dates, monitoring_mode__in=stage.monitoring_modes)
    if step.min_outstanding is not None:
        condition &= Q(outstanding_amount__gte=step.min_outstanding)
    if step.payer_kind:
        condition &= Q(payer__kind=step.payer_kind)
    if step.only_if_no_response and stage.previous_step is not None:
        answered = ContactTaskInvoice.objects.for_tenant(tenant).filter(
            invoice=OuterRef("pk"),
            step=stage.previous_step,
            task__responded_at__isnull=False,
        )
        condition &= ~Exists(answered)
    return condition


def _by_rank(column: str, stages: list[Stage], value) -> tuple[str, list]:
    """SQL `CASE column WHEN rank THEN value(stage) … END` and its parameters: maps a stage's
    rank back to its step, channel or window in the outer query, once per row."""
    whens, params = [], []
    for stage in stages:
        whens.append("WHEN %s THEN %s")
        params += [stage.rank, value(stage)]
    return f"CASE {column} {' '.join(whens)} END", params


def _staged_invoices(
    *, tenant: Tenant, day: datetime.date, stages: list[Stage]
) -> QuerySet[Invoice]:
    """Monitored invoices due for contact on the day (not paused or stopped then), each with the
    rank of its most advanced step (`stage_rank`); the first matching WHEN wins, so stages go
    most advanced first."""
    all_due_dates = sorted({due for stage in stages for due in stage.due_dates})
    stage_rank = Case(
        *[
            When(_stage_condition(tenant, stage), then=Value(stage.rank))
            for stage in sorted(stages, key=lambda stage: -stage.rank)
        ],
        output_field=IntegerField(),
    )
    return (
        monitored_invoices(tenant=tenant, day=day)
        .filter(due_date__in=all_due_dates)
        .annotate(stage_rank=stage_rank)
        .filter(stage_rank__isnull=False)
        .order_by()
    )


def _create_staged_table(*, tenant: Tenant, day: datetime.date, stages: list[Stage]) -> None:
    staged = _staged_invoices(tenant=tenant, day=day, stages=stages)
    staged = staged.values("id", "payer_id", "stage_rank")
    select_sql, params = staged.query.sql_with_params()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(STAGED_TABLE)
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {select_sql}", params)
    _postgresql_analyze(STAGED_TABLE)


def _insert_tasks(*, tenant: Tenant, day: datetime.date, stages: list[Stage]) -> int:
    """One task per payer, from the payer's most advanced stage; returns how many were new."""
    staged = connection.ops.quote_name(STAGED_TABLE)
    per_payer = f"SELECT payer_id, MAX(stage_rank) AS top_rank FROM {staged}"  # noqa: S608
    per_payer += " GROUP BY payer_id"
    ops = connection.ops
    channel_sql, channel_params = _by_rank("src.top_rank", stages, lambda s: s.step.channel)
    step_sql, step_params = _by_rank("src.top_rank", stages, lambda s: s.step.pk)
    start_sql, start_params = _by_rank(
        "src.top_rank", stages, lambda s: ops.adapt_datetimefield_value(s.window_start)
    )
    end_sql, end_params = _by_rank(
        "src.top_rank", stages, lambda s: ops.adapt_datetimefield_value(s.window_end)
    )
    columns = [
        "tenant_id",
        "payer_id",
        "planned_date",
        "channel",
        "step_id",
        "state",
        "window_start",
        "window_end",
        "created_at",
    ]
    select_list = f"%s, src.payer_id, %s, {channel_sql}, {step_sql}, %s, {start_sql}, {end_sql}, %s"
    params = [
        tenant.pk,
        ops.adapt_datefield_value(day),
        *channel_params,
        *step_params,
        ContactTask.State.PLANNED.value,
        *start_params,
        *end_params,
        ops.adapt_datetimefield_value(timezone.now()),
    ]
    return _insert_select(ContactTask, columns, select_list, per_payer, params)


def _insert_covered_invoices(*, tenant: Tenant, day: datetime.date, stages: list[Stage]) -> int:
    """Each staged invoice joins its payer's open task of the day, with its own stage."""
    step_sql, step_params = _by_rank("src.stage_rank", stages, lambda s: s.step.pk)
    qn = connection.ops.quote_name
    select_list = f"%s, task.id, src.id, {step_sql}"
    join = (
        f" JOIN {qn(ContactTask._meta.db_table)} task ON task.payer_id = src.payer_id"
        " AND task.tenant_id = %s AND task.planned_date = %s AND task.state IN (%s, %s)"
    )
    params = [
        tenant.pk,
        *step_params,
        tenant.pk,
        connection.ops.adapt_datefield_value(day),
        *[state.value for state in OPEN_TASK_STATES],
    ]
    columns = ["tenant_id", "task_id", "invoice_id", "step_id"]
    staged = f"SELECT id, payer_id, stage_rank FROM {qn(STAGED_TABLE)}"  # noqa: S608
    return _insert_select(ContactTaskInvoice, columns, select_list, staged, params, join=join)


def _insert_select(
    model,
    columns: list[str],
    select_list: str,
    select_sql: str,
    params,
    *,
    join: str = "",
) -> int:
    """INSERT INTO model (columns) SELECT select_list FROM (select_sql) src [join] …, skipping
    rows that would break a unique constraint; returns the number of rows inserted.

    `WHERE 1 = 1` is there for SQLite, which otherwise may read ON CONFLICT as a join's ON.
    """
    qn = connection.ops.quote_name
    # Only quoted identifiers and SQL compiled by Django are spliced in; values are parameters.
    table = qn(model._meta.db_table)
    column_list = ", ".join(qn(column) for column in columns)
    sql = f"INSERT INTO {table} ({column_list}) SELECT {select_list} FROM ({select_sql}) src"  # noqa: S608
    sql += f"{join} WHERE 1 = 1 ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
