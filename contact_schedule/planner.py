"""The daily planner: one `ContactTask` per payer per day, set-based.

For a day T and a step, the due dates whose step lands on T (after the move rule) are few and
computed in Python from the calendar (`contact_schedule.stages`). One query then ranks every
monitored invoice due for contact today by its most advanced step (a CASE over `due_date IN (…)`
and the step's conditions) into a temporary table. From it, INSERT … SELECT … ON CONFLICT DO
NOTHING writes one task per payer (MAX of the rank: the most advanced stage decides the channel),
and a second one records which invoices each task covers and at which stage. No row passes
through Python, and the unique (tenant, payer, planned_date) makes a rerun create nothing; an
anti-join leaves out the invoices a task of the day already covers, so a rerun stages (almost)
nothing and is cheap.

Around that: contacts of earlier days that did not happen are carried into the day
(`contact_schedule.deferral`), and the client's limits and the operator's budget per NIP decide,
in the same INSERT, whether each new task is planned or deferred (`contact_schedule.limits`).
Express invoices (a schedule of purpose "single") count their steps from the day they were handed
over instead of from the due date.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
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

from contact_schedule import deferral
from contact_schedule.limits import limited_sql
from contact_schedule.models import (
    ContactTask,
    ContactTaskInvoice,
)
from contact_schedule.selectors import (
    monitored_invoices,
)
from contact_schedule.stages import (
    FROM_DUE_DATE,
    FROM_HANDOVER,
    Stage,
    open_windows,
    stages_due,
)
from invoices.models import Invoice
from tenants.models import Tenant
from tenants.selectors import tenant_today

OPEN_TASK_STATES = deferral.OPEN_TASK_STATES
# The day's staged invoices (id, payer_id, stage_rank), a temporary table of the transaction:
# computed once, read by both inserts, so no statement reads a table while writing it.
STAGED_TABLE = "contact_plan_staged"
# From this many new tasks in one plan, refresh the task table's statistics before using it.
ANALYZE_AFTER_TASKS = 5_000


@dataclass(frozen=True)
class PlanResult:
    day: datetime.date
    tasks_created: int
    invoices_covered: int
    tasks_by_channel: dict[str, int] = field(default_factory=dict)  # all of the day's tasks


def plan_day(
    *,
    tenant: Tenant,
    day: datetime.date | None = None,
    payer_ids: Collection[int] | None = None,
    take_turns: bool = True,
) -> PlanResult:
    """Write the client's contact tasks for `day` (default: today in its zone); idempotent.

    `payer_ids` plans only those payers (an express hand-over during the day). Plans that commit
    take turns across clients (the operator's budget per NIP counts them all); a plan that is
    rolled back anyway (a simulation, `take_turns=False`) need not hold the others up.
    """
    day = day or tenant_today(tenant)
    tasks_created = invoices_covered = 0
    with transaction.atomic():
        _postgresql_settings(take_turns=take_turns)
        deferral.defer_past_tasks(tenant=tenant, day=day)
        carried = deferral.tasks_to_carry(
            tenant=tenant,
            day=day,
            open_channels=open_windows(tenant=tenant, day=day),
            payer_ids=payer_ids,
        )
        stages = stages_due(tenant=tenant, day=day, carried=carried)
        if stages:
            _create_staged_table(tenant=tenant, day=day, stages=stages, payer_ids=payer_ids)
            tasks_created = _insert_tasks(tenant=tenant, day=day, stages=stages)
            if tasks_created >= ANALYZE_AFTER_TASKS:
                _postgresql_analyze(ContactTask._meta.db_table)
            invoices_covered = _insert_covered_invoices(tenant=tenant, day=day, stages=stages)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(STAGED_TABLE)}")
        deferral.mark_carried(tenant=tenant, day=day, tasks=carried)
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


def _postgresql_settings(*, take_turns: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # Compiling the wide CASE costs PostgreSQL's JIT seconds and saves little.
        cursor.execute("SET LOCAL jit = off")
        # A plan lost in a crash right after COMMIT is simply planned again (the beat claim
        # goes with it), so the commit need not wait for the disk.
        cursor.execute("SET LOCAL synchronous_commit = off")
        # The operator's budget counts every client's tasks for a NIP: two clients planned at
        # once must not both see the other's day as empty, so plans take turns.
        if take_turns:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('contact_schedule.plan_day'))")


def _postgresql_analyze(table: str) -> None:
    """Statistics that do not yet count the rows just written make PostgreSQL plan nested loops
    over all of them; ANALYZE inside the transaction sees its own rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _days_condition(tenant: Tenant, stage: Stage) -> Q:
    """The invoices whose day of reference (due date, or hand-over day) puts the step on the day."""
    if stage.counted_from == FROM_DUE_DATE:
        return Q(due_date__in=stage.due_dates)
    condition = Q()
    for handed_over in stage.due_dates:  # the client's local days, as moments
        start = datetime.datetime.combine(handed_over, datetime.time(), tzinfo=tenant.zone)
        end = datetime.datetime.combine(
            handed_over + datetime.timedelta(days=1), datetime.time(), tzinfo=tenant.zone
        )
        condition |= Q(created_at__gte=start, created_at__lt=end)
    return condition


def _stage_condition(tenant: Tenant, stage: Stage) -> Q | None:
    step = stage.step
    condition = None
    if stage.due_dates:
        condition = _days_condition(tenant, stage) & Q(monitoring_mode__in=stage.monitoring_modes)
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
    if stage.carried is not None:
        # A carried contact was due already: its conditions were checked when it was planned.
        carried = Q(
            pk__in=deferral.carried_invoice_ids(tenant=tenant, tasks=stage.carried, step=step)
        )
        condition = carried if condition is None else condition | carried
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
    *,
    tenant: Tenant,
    day: datetime.date,
    stages: list[Stage],
    payer_ids: Collection[int] | None = None,
) -> QuerySet[Invoice]:
    """Monitored invoices due for contact on the day and not yet covered by a task of the day,
    each with the rank of its most advanced step (`stage_rank`); the first matching WHEN wins,
    so stages go most advanced first.

    The candidates come in up to three parts, each found through its own index and united:
    by due date, express invoices by hand-over day (a small partial index), and carried ones by
    id. One OR across them would make PostgreSQL read every open invoice of the client.
    """
    conditions = [(stage, _stage_condition(tenant, stage)) for stage in stages]
    due_dates = sorted({d for s in stages if s.counted_from == FROM_DUE_DATE for d in s.due_dates})
    express, carried = Q(), Q()
    for stage in stages:
        if stage.counted_from == FROM_HANDOVER and stage.due_dates:
            express |= _days_condition(tenant, stage) & Q(
                monitoring_mode__in=stage.monitoring_modes
            )
        if stage.carried is not None:
            carried |= Q(
                pk__in=deferral.carried_invoice_ids(
                    tenant=tenant, tasks=stage.carried, step=stage.step
                )
            )
    parts = [
        part for part in (Q(due_date__in=due_dates) if due_dates else Q(), express, carried) if part
    ]
    stage_rank = Case(
        *[
            When(condition, then=Value(stage.rank))
            for stage, condition in sorted(conditions, key=lambda item: -item[0].rank)
        ],
        output_field=IntegerField(),
    )
    covered_today = ContactTaskInvoice.objects.for_tenant(tenant).filter(
        invoice=OuterRef("pk"), task__planned_date=day
    )
    invoices = monitored_invoices(tenant=tenant, day=day).filter(~Exists(covered_today))
    if payer_ids is not None:
        invoices = invoices.filter(payer_id__in=list(payer_ids))
    selects = [
        invoices.filter(part)
        .annotate(stage_rank=stage_rank)
        .filter(stage_rank__isnull=False)
        .order_by()
        .values("id", "payer_id", "stage_rank")
        for part in parts
    ]
    # UNION, not UNION ALL: an invoice found by two parts has the same rank in both.
    return selects[0].union(*selects[1:]) if len(selects) > 1 else selects[0]


def _create_staged_table(
    *,
    tenant: Tenant,
    day: datetime.date,
    stages: list[Stage],
    payer_ids: Collection[int] | None = None,
) -> None:
    staged = _staged_invoices(tenant=tenant, day=day, stages=stages, payer_ids=payer_ids)
    select_sql, params = staged.query.sql_with_params()
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(STAGED_TABLE)
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {select_sql}", params)
    _postgresql_analyze(STAGED_TABLE)


def _insert_tasks(*, tenant: Tenant, day: datetime.date, stages: list[Stage]) -> int:
    """One task per payer, from the payer's most advanced stage, planned — or deferred when a
    limit says so (`limits.limited_sql`); returns how many were new."""
    ops = connection.ops
    by_rank = [
        ("channel", lambda s: s.step.channel),
        ("step_id", lambda s: s.step.pk),
        ("window_start", lambda s: ops.adapt_datetimefield_value(s.window_start)),
        ("window_end", lambda s: ops.adapt_datetimefield_value(s.window_end)),
        ("step_attempts", lambda s: s.step.attempts),
        ("consumer_start", lambda s: ops.adapt_datetimefield_value(s.consumer_window_start)),
        ("consumer_end", lambda s: ops.adapt_datetimefield_value(s.consumer_window_end)),
    ]
    deciding = [stage for stage in stages if stage.window_start is not None]
    if not deciding:
        return 0
    columns_sql, per_payer_params = [], []
    for name, value in by_rank:
        sql, params = _by_rank("top.top_rank", deciding, value)
        columns_sql.append(f"{sql} AS {name}")
        per_payer_params += params
    staged = ops.quote_name(STAGED_TABLE)
    # Payers with only closed-channel carried invoices get no task today; those wait.
    per_payer = (
        f"SELECT top.payer_id, {', '.join(columns_sql)} FROM ("  # noqa: S608
        f"SELECT payer_id, MAX(stage_rank) AS top_rank FROM {staged} WHERE stage_rank >= %s"
        " GROUP BY payer_id) top"
    )
    per_payer_params.append(deciding[0].rank)
    limited, params = limited_sql(
        tenant=tenant,
        day=day,
        staged=STAGED_TABLE,
        per_payer=per_payer,
        per_payer_params=per_payer_params,
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
        "attempts",
        "deferred_reason",
    ]
    planned, deferred = ContactTask.State.PLANNED.value, ContactTask.State.DEFERRED.value
    select_list = (
        "%s, src.payer_id, %s, src.channel, src.step_id,"
        " CASE WHEN src.deferred_reason = '' THEN %s ELSE %s END,"
        " CASE WHEN src.deferred_reason = '' THEN src.start ELSE src.window_start END,"
        " src.window_end, %s, src.attempts, src.deferred_reason"
    )
    select_params = [
        tenant.pk,
        ops.adapt_datefield_value(day),
        planned,
        deferred,
        ops.adapt_datetimefield_value(timezone.now()),
    ]
    return _insert_select(ContactTask, columns, select_list, limited, select_params + params)


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
