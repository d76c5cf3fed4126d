"""Benchmark of the daily contact planner on PostgreSQL (issue 4, item 9): one line per figure.

    .venv/bin/python bench/planner_bench.py [--payers 200000] [--invoices 1000000] [--keep-db]

Creates its own database (`bench_planner` on the server of BENCH_DATABASE_URL or DATABASE_URL,
else 127.0.0.1:5432), migrates it (so the operator's default schedule is there), generates one
client's ledger in SQL (N payers, M invoices due over the 120 days around the planned day, 80 %
open, 10 % partly paid, 10 % paid), then measures: `plan_day` for one day in a process of its own
(wall time, peak RSS), the rerun of the same day (must create 0), and the floor: one hand-written
SQL query selecting the same (payer, step) pairs (the issue's target is against it). For
information, a second floor that also writes: one hand-written statement inserting the same tasks
and covered invoices into tables indexed and constrained like ours, committed. A missed target
prints MISS; the exit code stays 0 (a benchmark reports, CI decides nothing on it). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import (  # noqa: E402
    checkpoint,
    child_environment,
    drop_database,
    figure,
    memory_mb,
    recreate_database,
    setup_django,
)
from bench.import_bench import database_url as import_database_url  # noqa: E402

DATABASE_NAME = "bench_planner"
PLAN_DAY = datetime.date(2026, 12, 11)  # a Friday: calls, SMS, a demand and a voice message
TARGET_SECONDS = 30.0
TARGET_FLOOR_RATIO = 3.0
TARGET_RSS_MB = 500
TARGET_RERUN_SECONDS = 5.0
SLUG = "bench-planner"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payers", type=int, default=200_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    parser.add_argument("--child-plan", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_plan:
        return child_plan()
    if args.payers < 1 or args.invoices < args.payers:
        parser.error("need at least one payer and at least as many invoices as payers")
    url = database_url()
    parts = urlsplit(url)
    print(
        f"planner_bench: {args.payers:,} payers, {args.invoices:,} invoices, plan of "
        f"{PLAN_DAY.isoformat()}; database {parts.path.lstrip('/')} on {parts.hostname}:"
        f"{parts.port or 5432}; {platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    recreate_database(url)
    try:
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        tenant_id = generate_ledger(payers=args.payers, invoices=args.invoices)
        print(f"ledger generated in {time.perf_counter() - started:.1f} s", flush=True)
        floor = measure_floor(url, tenant_id)
        write_floor = measure_write_floor(url, tenant_id)
        first = run_child(url)
        second = run_child(url)
        report(first, second, floor, write_floor, ours_pairs(tenant_id))
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(url)


def database_url() -> str:
    """The server of import_bench's URL, with this benchmark's own database: the URL's when its
    name says it is a benchmark's (it is dropped at the end), else `bench_planner`."""
    parts = urlsplit(import_database_url())  # refuses anything but PostgreSQL
    asked = urlsplit(os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or "")
    name = asked.path.lstrip("/")
    return parts._replace(path=f"/{name if 'bench' in name else DATABASE_NAME}").geturl()


# --- The ledger --------------------------------------------------------------------------------


def _insert_generated(model, *, source: str, source_params: list, expressions: dict) -> None:
    """INSERT INTO model SELECT … FROM (source) g: the given columns from SQL expressions over
    the source's columns, every other column its field default (new columns need no edit)."""
    from django.db import connection

    columns, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in expressions:
            values.append(expressions[field.column])
        else:
            values.append("%s")
            default = None if field.null and not field.has_default() else field.get_default()
            defaults.append(field.get_db_prep_save(default, connection))
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM ({source}) g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults + source_params)


def generate_ledger(*, payers: int, invoices: int) -> int:
    """One client with `payers` payers (a fifth consumers) and `invoices` invoices among them,
    due over the 120 days from 100 days before the planned day (scattered, so each payer's
    invoices sit at different stages); 10 % paid, 10 % partly paid, the rest open."""
    from django.db import connection, transaction

    from invoices.models import Invoice
    from payers.models import Payer
    from tenants.models import Tenant

    tenant = Tenant.objects.create(name="Bench planner", slug=SLUG, nip="5260250274")
    first_due = PLAN_DAY - datetime.timedelta(days=100)
    with transaction.atomic():
        _insert_generated(
            Payer,
            source="SELECT n FROM generate_series(1, %s) AS n",
            source_params=[payers],
            expressions={
                "tenant_id": str(tenant.pk),
                "external_id": "'P' || g.n",
                "name": "'Odbiorca ' || g.n",
                "kind": "CASE WHEN mod(g.n, 5) = 0 THEN 'consumer' ELSE 'business' END",
                "created_at": "now()",
                "updated_at": "now()",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id) FROM payers_payer WHERE tenant_id = %s", [tenant.pk])
            first_payer = cursor.fetchone()[0]
        _insert_generated(
            Invoice,
            source="SELECT n, %s::date + mod(n::bigint * 7919, 120)::int AS due "
            "FROM generate_series(1, %s) AS n",
            source_params=[first_due, invoices],
            expressions={
                "tenant_id": str(tenant.pk),
                "payer_id": f"{int(first_payer)} + mod(g.n, {int(payers)})",
                "external_id": "'F' || g.n",
                "number": "'FV/' || g.n",
                "issue_date": "g.due - 30",
                "due_date": "g.due",
                "gross_amount": "1230.00",
                "outstanding_amount": "CASE WHEN mod(g.n, 10) = 0 THEN 0 "
                "WHEN mod(g.n, 10) = 1 THEN 615.00 ELSE 1230.00 END",
                "status": "CASE WHEN mod(g.n, 10) = 0 THEN 'paid' "
                "WHEN mod(g.n, 10) = 1 THEN 'partially_paid' ELSE 'open' END",
                "created_at": "now()",
                "updated_at": "now()",
            },
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return tenant.pk


# --- The measured steps ------------------------------------------------------------------------


def _floor_stages(tenant_id: int):
    from contact_schedule.stages import FROM_DUE_DATE, stages_due
    from tenants.models import Tenant

    stages = stages_due(tenant=Tenant.objects.get(pk=tenant_id), day=PLAN_DAY)
    # The ledger holds programme invoices only: express stages (counted from the hand-over day)
    # select none of them, and no task of an earlier day is carried.
    return [stage for stage in stages if stage.counted_from == FROM_DUE_DATE]


def _staged_sql(tenant_id: int, stages) -> tuple[str, list]:
    """`stage(…) AS (VALUES …), staged AS (…)`: each monitored invoice due for contact on the day
    with the rank of its most advanced stage, hand-written."""
    rows, params = [], []
    for stage in stages:
        previous = stage.previous_step.pk if stage.previous_step else None
        for due in stage.due_dates:
            rows.append("(%s::date, %s, %s::bigint, %s::boolean)")
            params += [due, stage.rank, previous, stage.step.only_if_no_response]
    # The default schedule has no amount or payer-kind conditions; "only if no response" is kept.
    sql = f"""
        stage(due, rank, previous_step, only_if_no_response) AS (VALUES {", ".join(rows)}),
        staged AS MATERIALIZED (
            SELECT i.id, i.payer_id, max(s.rank) AS rank
            FROM invoices_invoice i
            JOIN payers_payer p ON p.id = i.payer_id
            JOIN stage s ON s.due = i.due_date
            WHERE i.tenant_id = %s AND i.status IN ('open', 'partially_paid')
              AND i.outstanding_amount > 0 AND NOT p.do_not_contact
              AND (NOT s.only_if_no_response OR NOT EXISTS (
                  SELECT 1 FROM contact_schedule_contacttaskinvoice c
                  JOIN contact_schedule_contacttask t ON t.id = c.task_id
                  WHERE c.invoice_id = i.id AND c.step_id = s.previous_step
                    AND t.responded_at IS NOT NULL))
            GROUP BY i.id, i.payer_id
        )"""  # noqa: S608
    return sql, [*params, tenant_id]


def floor_sql(tenant_id: int) -> tuple[str, list]:
    """The (payer, step) pairs as one hand-written query: the day's stages as a VALUES list."""
    stages = _floor_stages(tenant_id)
    staged, params = _staged_sql(tenant_id, stages)
    ranks = ", ".join(f"({int(s.rank)}, {int(s.step.pk)})" for s in stages)
    sql = f"""
        WITH {staged}
        SELECT top.payer_id, r.step_id
        FROM (SELECT payer_id, max(rank) AS rank FROM staged GROUP BY payer_id) top
        JOIN (VALUES {ranks}) r(rank, step_id) ON r.rank = top.rank
    """  # noqa: S608
    return sql, params


WRITE_FLOOR_TABLES = {"task": "bench_floor_task", "link": "bench_floor_link"}


def write_floor_sql(tenant_id: int) -> tuple[str, list]:
    """The same pairs written, hand-written: one statement inserting the tasks (one per payer, its
    most advanced step, channel and window) and the invoices each covers, into tables indexed and
    constrained like ours (`create_write_floor_tables`). No limits, no carried contacts, no
    rerun safety: what any planner must at least do."""
    from django.db import connection

    stages = _floor_stages(tenant_id)
    staged, params = _staged_sql(tenant_id, stages)
    ranks, rank_params = [], []
    for stage in stages:
        ranks.append("(%s, %s::bigint, %s, %s::timestamptz, %s::timestamptz)")
        rank_params += [
            stage.rank,
            stage.step.pk,
            stage.step.channel,
            connection.ops.adapt_datetimefield_value(stage.window_start),
            connection.ops.adapt_datetimefield_value(stage.window_end),
        ]
    task, link = WRITE_FLOOR_TABLES["task"], WRITE_FLOOR_TABLES["link"]
    sql = f"""
        WITH {staged},
        step(rank, step_id, channel, window_start, window_end) AS (VALUES {", ".join(ranks)}),
        tasks AS (
            INSERT INTO {task} (tenant_id, payer_id, planned_date, channel, step_id, state,
                window_start, window_end, created_at, attempts, deferred_reason)
            SELECT %s, top.payer_id, %s, step.channel, step.step_id, 'planned',
                step.window_start, step.window_end, now(), 0, ''
            FROM (SELECT payer_id, max(rank) AS rank FROM staged GROUP BY payer_id) top
            JOIN step ON step.rank = top.rank
            RETURNING id, payer_id
        )
        INSERT INTO {link} (tenant_id, task_id, invoice_id, step_id)
        SELECT %s, tasks.id, staged.id, step.step_id
        FROM staged JOIN tasks ON tasks.payer_id = staged.payer_id
        JOIN step ON step.rank = staged.rank
    """  # noqa: S608
    return sql, [*params, *rank_params, tenant_id, PLAN_DAY, tenant_id]


def create_write_floor_tables() -> None:
    """Copies of the task tables with the same columns, indexes, unique and check constraints, and
    the foreign keys our tables keep in the database (checked at COMMIT, as ours)."""
    from django.db import connection

    task, link = WRITE_FLOOR_TABLES["task"], WRITE_FLOOR_TABLES["link"]
    with connection.cursor() as cursor:
        for name, source in (
            (task, "contact_schedule_contacttask"),
            (link, "contact_schedule_contacttaskinvoice"),
        ):
            cursor.execute(f"CREATE TABLE {name} (LIKE {source} INCLUDING ALL)")
        cursor.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text IN ("
            "'contact_schedule_contacttask', 'contact_schedule_contacttaskinvoice')"
        )
        foreign_keys = cursor.fetchall()
        copies = {"contact_schedule_contacttask": task, "contact_schedule_contacttaskinvoice": link}
        for table, definition in foreign_keys:
            definition = definition.replace(
                "REFERENCES contact_schedule_contacttask(", f"REFERENCES {task}("
            )
            cursor.execute(f"ALTER TABLE {copies[table]} ADD {definition}")


def measure_floor(url: str, tenant_id: int) -> dict:
    from django.db import connection

    sql, params = floor_sql(tenant_id)
    checkpoint(url)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pairs = {tuple(row) for row in cursor.fetchall()}
    return {"seconds": time.perf_counter() - started, "pairs": pairs}


def measure_write_floor(url: str, tenant_id: int) -> dict:
    from django.db import connection, transaction

    create_write_floor_tables()
    sql, params = write_floor_sql(tenant_id)
    checkpoint(url)
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")  # as the planner's
            cursor.execute(sql, params)
            links = cursor.rowcount
        written = time.perf_counter()
    finished = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {WRITE_FLOOR_TABLES['task']}")  # noqa: S608
        tasks = cursor.fetchone()[0]
    return {
        "seconds": finished - started,
        "commit_seconds": finished - written,
        "tasks": tasks,
        "links": links,
    }


def ours_pairs(tenant_id: int) -> set[tuple[int, int]]:
    from contact_schedule.models import ContactTask

    tasks = ContactTask.objects.filter(tenant_id=tenant_id, planned_date=PLAN_DAY)
    return set(tasks.values_list("payer_id", "step_id"))


def run_child(url: str) -> dict:
    """`plan_day` in a fresh process (so its peak RSS is its own); what it reported."""
    from django.db import connections

    connections.close_all()
    checkpoint(url)
    command = [sys.executable, str(Path(__file__).resolve()), "--child-plan"]
    env = child_environment(url)
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"planner_bench: the plan failed (exit {done.returncode}), see above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_plan() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from contact_schedule.planner import plan_day
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug=SLUG)
    rss_before = memory_mb("VmRSS")
    statements = []

    def timed(execute, sql, params, many, context):
        begun = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(time.perf_counter() - begun)

    started = time.perf_counter()
    # An outer transaction only to time the COMMIT apart (the deferred foreign-key checks run
    # there); plan_day's own transaction becomes a savepoint inside it.
    with transaction.atomic(), connection.execute_wrapper(timed):
        result = plan_day(tenant=tenant, day=PLAN_DAY)
        planned = time.perf_counter()
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "seconds": finished - started,
                "statement_seconds": sum(statements),
                "commit_seconds": finished - planned,
                "tasks_created": result.tasks_created,
                "invoices_covered": result.invoices_covered,
                "tasks_by_channel": result.tasks_by_channel,
                "rss_before_mb": rss_before,
                "peak_rss_mb": memory_mb("VmHWM"),
            }
        )
    )


# --- The report --------------------------------------------------------------------------------


def report(first: dict, second: dict, floor: dict, write_floor: dict, ours: set) -> None:
    same = ours == floor["pairs"]
    print(
        f"check: {len(ours):,} (payer, step) pairs planned, the floor selected "
        f"{len(floor['pairs']):,}" + ("; identical" if same else "  CHECK FAILED")
    )
    print(f"check: tasks per channel {first['tasks_by_channel']}")
    ratio = first["seconds"] / floor["seconds"]
    results = {
        "plan time": figure(
            "plan of one day",
            f"{first['seconds']:.1f} s ({first['tasks_created']:,} tasks, "
            f"{first['invoices_covered']:,} invoices covered)",
            f"floor {floor['seconds']:.1f} s",
            f"{ratio:.1f}× the floor",
            f"≤ {TARGET_SECONDS:g} s and ≤ {TARGET_FLOOR_RATIO:g}× the floor",
            first["seconds"] <= TARGET_SECONDS and ratio <= TARGET_FLOOR_RATIO,
        ),
        "peak RSS": figure(
            "peak RSS of the planning process",
            f"{first['peak_rss_mb']:,.0f} MB",
            f"{first['rss_before_mb']:,.0f} MB after django.setup",
            f"{first['peak_rss_mb'] / first['rss_before_mb']:.1f}× that",
            f"≤ {TARGET_RSS_MB} MB",
            first["peak_rss_mb"] <= TARGET_RSS_MB,
        ),
        "rerun": figure(
            "rerun of the same day",
            f"{second['seconds']:.1f} s, {second['tasks_created']:,} tasks created",
            f"first plan {first['seconds']:.1f} s",
            f"{second['seconds'] / first['seconds']:.2f}× its time",
            f"≤ {TARGET_RERUN_SECONDS:g} s and 0 tasks",
            second["seconds"] <= TARGET_RERUN_SECONDS and second["tasks_created"] == 0,
        ),
    }
    if (write_floor["tasks"], write_floor["links"]) != (
        first["tasks_created"],
        first["invoices_covered"],
    ):
        print(
            f"check: the write floor wrote {write_floor['tasks']:,} tasks and "
            f"{write_floor['links']:,} covered invoices  CHECK FAILED"
        )
    figure(  # not the target: a floor that writes what the plan writes
        "plan of one day against the write floor",
        f"{first['seconds']:.1f} s",
        f"write floor {write_floor['seconds']:.1f} s (COMMIT "
        f"{write_floor['commit_seconds']:.1f} s) for the same "
        f"{write_floor['tasks']:,} tasks and {write_floor['links']:,} covered invoices",
        f"{first['seconds'] / write_floor['seconds']:.1f}× the write floor",
        "none",
        None,
    )
    for name, run in (("plan", first), ("rerun", second)):
        other = run["seconds"] - run["statement_seconds"] - run["commit_seconds"]
        print(
            f"{name} by part: {run['statement_seconds']:.1f} s in SQL statements, "
            f"{run['commit_seconds']:.1f} s COMMIT (deferred foreign-key checks), "
            f"{other:.1f} s in Python (baseline: its {run['seconds']:.1f} s, target: none) INFO"
        )
    missed = [name for name, ok in results.items() if not ok]
    print(
        f"summary: {len(results) - len(missed)} of {len(results)} targets PASS"
        + (f"; MISS: {', '.join(missed)}" if missed else "")
    )


if __name__ == "__main__":
    main()
