"""What every set-based upsert of the ledger shares: per-item results and plain-Python checks.

`payers.bulk.upsert` and `invoices.bulk` build on these; so can the file import pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from tenants.models import Tenant

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
UPSERT, CREATE, UPDATE = "upsert", "create", "update"
# Rows per INSERT statement (SQLite lowers it further to stay under its bound-variable limit).
WRITE_BATCH = 1000
# External ids per `IN (…)` lookup: one query for a 5,000-item API call, bounded for larger feeds.
LOOKUP_CHUNK = 5000

ItemErrors = dict[str, list[str]]


@dataclass
class ItemResult:
    """What happened to one input item, by its position in the input."""

    index: int
    external_id: str
    result: str = ERROR
    id: int | None = None
    errors: ItemErrors = field(default_factory=dict)

    def add_error(self, field_name: str, message: str) -> None:
        self.errors.setdefault(field_name, []).append(message)
        self.result = ERROR


@dataclass
class BulkReport:
    """Per-item results of one call; `applied` is False when `atomic` refused to write anything."""

    results: list[ItemResult]
    applied: bool = True

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, ERROR), 0)
        for item in self.results:
            counts[item.result] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(item.result == ERROR for item in self.results)


class BulkWriteFailed(Exception):
    """The database refused a write (e.g. a concurrent change); the whole call was rolled back."""


# --- Helpers shared with invoices.bulk --------------------------------------------------------


def chunked(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def any_of(values: Sequence[Any], array_type: str) -> Any:
    """The right-hand side of an `__in` lookup of many values: on PostgreSQL one array parameter,
    which Django compiles at once instead of a placeholder per value (a tenth of a re-import's
    time); elsewhere the values themselves. `array_type` is the values' SQL type."""
    if connection.vendor == "postgresql":
        return RawSQL(f"SELECT unnest(%s::{array_type}[])", [list(values)])  # noqa: S611
    return values


def clean_text(result: ItemResult, model: type[models.Model], name: str, value: Any) -> str:
    """`value` stripped, with an error when it is longer than the column."""
    text = "" if value is None else str(value).strip()
    if "\x00" in text:  # PostgreSQL cannot store it; a file may well contain one
        result.add_error(name, _("A NUL character is not allowed."))
        return ""
    limit = model._meta.get_field(name).max_length
    if limit and len(text) > limit:
        result.add_error(
            name,
            _("At most %(limit)d characters (got %(length)d).")
            % {"limit": limit, "length": len(text)},
        )
    return text


@cache  # read for every item of a million-row import
def _choices(model: type[models.Model], name: str) -> list[str]:
    return [choice for choice, _label in model._meta.get_field(name).choices]


def clean_choice(result: ItemResult, model: type[models.Model], name: str, value: Any) -> str:
    choices = _choices(model, name)
    if value not in choices:
        result.add_error(
            name,
            _("Expected one of %(choices)s (got %(value)r).")
            % {"choices": ", ".join(choices), "value": value},
        )
    return value


def clean_external_id(result: ItemResult, model: type[models.Model]) -> None:
    if not result.external_id:
        result.add_error("external_id", _("The external id (your ERP's id) is required."))
    else:
        clean_text(result, model, "external_id", result.external_id)


def is_keyed(result: ItemResult) -> bool:
    """The item has an external id that is valid and its own in the call."""
    return bool(result.external_id) and "external_id" not in result.errors


def drop_failed(values: dict[str, Any], errors: ItemErrors) -> None:
    """Forget the values of fields in error, so checks across fields never see them."""
    for name in errors:
        values.pop(name, None)


def flag_duplicates(results: Sequence[ItemResult]) -> None:
    """A repeated external id is an error on every occurrence after the first."""
    first_seen: dict[str, int] = {}
    for item in results:
        if not item.external_id:
            continue
        first = first_seen.setdefault(item.external_id, item.index)
        if first != item.index:
            item.add_error(
                "external_id",
                _(
                    "External id %(id)s appears more than once in this request "
                    "(first at item %(first)d)."
                )
                % {"id": item.external_id, "first": first},
            )


def fill_missing_ids(model: type[models.Model], tenant: Tenant, rows: Sequence[Any]) -> None:
    """Backends that cannot return ids from an upsert: read them back in one query per chunk."""
    missing = [row for row in rows if row.pk is None]
    for part in chunked(missing):
        ids = dict(
            model.objects.for_tenant(tenant)
            .filter(external_id__in=[row.external_id for row in part])
            .values_list("external_id", "id")
        )
        for row in part:
            row.pk = ids[row.external_id]
