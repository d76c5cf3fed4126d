"""PostgreSQL writes of the bulk upserts: `COPY` into a temporary table, then one statement.

`bulk_create(update_conflicts=True)` spends most of its time compiling SQL in Python (a call per
value of every row). On PostgreSQL the rows go instead as one CSV stream into a temporary staging
table and from there in one `INSERT … SELECT … ON CONFLICT (tenant_id, external_id) DO UPDATE`
(issue 3: "on PostgreSQL: COPY into a staging table, then INSERT … ON CONFLICT"). Only the
writing changes: which rows are written, with which values, is decided in Python before, by the
same code on every database. Other databases keep `bulk_create`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

STAGING_TABLE = "bulk_upsert_staging"
ANALYZE_AFTER_ROWS = 10_000  # rows written by one import that make its tables' statistics stale


def use_copy() -> bool:
    """Whether the writes of this connection go through COPY (PostgreSQL) or the ORM."""
    return connection.vendor == "postgresql"


def refresh_statistics(models_written: Sequence[type[models.Model]], *, rows: int) -> None:
    """ANALYZE the tables of a large import once it committed (PostgreSQL).

    Autovacuum catches up only minutes later; until then the planner still sees the tables as
    they were, and the next import's lookups by (tenant, external id) scan every row of the
    tenant, chunk after chunk, instead of probing the unique index.
    """
    if rows < ANALYZE_AFTER_ROWS or not use_copy():
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models_written)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def written_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields an insert gives values to: all but the id and the `auto_now` stamps."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in auto_now_columns(model)
    ]


def auto_now_columns(model: type[models.Model]) -> dict[str, Any]:
    """The `auto_now`/`auto_now_add` columns of `model`, with the time the ORM would write."""
    now = timezone.now()
    return {
        field.column: now
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    }


def copy_upsert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    update: Sequence[str],
) -> dict[str, int]:
    """Insert or update `rows` (values in the order of `columns`) by (tenant_id, external_id).

    `update` names the columns set on a conflict; `auto_now` columns are filled in here as the ORM
    does (created_at on insert only, updated_at on both). Returns the ids by external id.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    stamps = auto_now_columns(model)  # one time for all rows: parameters, not copied per row
    staged = ", ".join(quote(column) for column in columns)
    inserted = ", ".join(quote(column) for column in [*columns, *stamps])
    updated = [*update, *(c for c in stamps if _field(model, c).auto_now)]
    assignments = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated)
    with connection.cursor() as cursor:
        _create_staging(cursor, model, columns)
        _copy(cursor, model, STAGING_TABLE, columns, rows)
        cursor.execute(
            f"INSERT INTO {table} ({inserted})"  # noqa: S608 - names from the model, values bound
            f" SELECT {staged}{', %s' * len(stamps)} FROM {STAGING_TABLE}"
            f" ON CONFLICT (tenant_id, external_id) DO UPDATE SET {assignments}"
            " RETURNING external_id, id",
            list(stamps.values()),
        )
        ids = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")
    return ids


def copy_insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Plain inserts of `rows` straight into the model's table (no conflict is expected)."""
    stamps = auto_now_columns(model)
    stamp_values = tuple(stamps.values())
    with connection.cursor() as cursor:
        _copy(
            cursor,
            model,
            model._meta.db_table,
            [*columns, *stamps],
            (tuple(row) + stamp_values for row in rows),
        )


def _field(model: type[models.Model], column: str) -> models.Field:
    return next(field for field in model._meta.concrete_fields if field.column == column)


def _create_staging(cursor: Any, model: type[models.Model], columns: Sequence[str]) -> None:
    definitions = ", ".join(
        f"{connection.ops.quote_name(column)} {_field(model, column).db_type(connection)}"
        for column in columns
    )
    # Dropped after use; ON COMMIT DROP covers an error between the two.
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGING_TABLE} ({definitions}) ON COMMIT DROP")


def _copy(
    cursor: Any,
    model: type[models.Model],
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """COPY in CSV: an unquoted empty value is NULL, except in text columns (FORCE_NOT_NULL),
    where None never occurs (the bulk services write "" for empty text)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    text_columns = [
        quote(column)
        for column in columns
        # A FileField is a varchar holding the name ("" when there is no file).
        if isinstance(_field(model, column), models.CharField | models.TextField | models.FileField)
    ]
    options = "FORMAT csv"
    if text_columns:
        options += f", FORCE_NOT_NULL ({', '.join(text_columns)})"
    cursor.copy_expert(
        f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN WITH ({options})",
        buffer,
    )
