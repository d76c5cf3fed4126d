"""Process a queued batch in one transaction: parse, validate, upsert set-wise, report.

Processing streams the file through its parser in chunks, upserts the records set-wise through
the ledger's bulk services, and records every rejected row. The ledger changes of a batch commit
together or not at all: a crash mid-file leaves the database as it was before the batch.

The parser runs a chunk ahead on a thread (`imports.readahead`), so reading overlaps the
database's work. Invoice rows of CSV, XLSX and JSON Lines arrive deferred: a row whose raw
values the ledger already holds as they are is counted unchanged without being built or
validated (`_skip_unchanged_rows`), which is what makes a nightly re-import of an unchanged
ledger cheap.
"""

from __future__ import annotations

import datetime
import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports.banking import book_bank_entries
from imports.corrections import apply_corrections, with_recorded_corrections
from imports.models import ImportBatch, ImportRowError
from imports.parsers.base import (
    FileRejected,
    InvoiceRecord,
    ParseContext,
    ParsedRow,
    PayerRecord,
    PaymentRecord,
    RowError,
)
from imports.readahead import ReadAhead
from imports.selectors import progress_key
from invoices.bulk import (
    ItemKey,
    KnownPayers,
    existing_invoices,
    unchanged_invoices,
    upsert_invoices,
)
from invoices.models import Invoice, Source
from payers.bulk import BulkReport, upsert_payers
from payers.bulk.staging import refresh_statistics
from payers.models import Payer, PayerContact
from tenants.models import Tenant
from tenants.selectors import tenant_today
from webhooks.services import publish_event

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
# The advisory-lock class of "one worker per batch" (agent: 7201).
PROCESSING_LOCK_CLASS = 7_301
# The cyclic garbage collector during a batch (see `_fewer_collections`).
GC_THRESHOLDS = (100_000, 50, 100)

PARSERS: dict[str, Callable[..., Iterator[ParsedRow]]] = {}
MAX_STORED_ERRORS = 100_000
SNAPSHOT_HAD_REJECTIONS = "rows were rejected"
SNAPSHOT_WITHOUT_INVOICES = "it lists no invoice"


def _parser(file_format: str) -> Callable[..., Iterator[ParsedRow]]:
    if not PARSERS:
        from imports.parsers import camt053, csv_parser, jsonl, ksef, mt940, xlsx

        PARSERS.update(
            csv=csv_parser.parse,
            xlsx=xlsx.parse,
            jsonl=jsonl.parse,
            ksef=ksef.parse,
            mt940=mt940.parse,
            camt053=camt053.parse,
        )
    return PARSERS[file_format]


@dataclass
class Tally:
    """What a batch did, gathered chunk by chunk."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    matched_payments: int = 0
    unmatched_payments: int = 0
    default_due_dates: int = 0
    corrections_applied: int = 0
    corrections_overpaid: int = 0  # corrections that left the payer overpaid
    settled_by_snapshot: int = 0
    snapshot_withheld: str = ""  # why a snapshot settled nothing: one of the SNAPSHOT_… reasons
    errors: list[RowError] = field(default_factory=list)
    errors_not_stored: int = 0
    invoice_ids_seen: set[str] = field(default_factory=set)  # filled for snapshots only
    # Inline payers written by earlier chunks of this batch: an identical copy is not re-validated.
    known_payers: KnownPayers = field(default_factory=KnownPayers)

    def add_error(self, error: RowError) -> None:
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)
        else:
            self.errors_not_stored += 1

    def count(self, result: str) -> None:
        setattr(self, result, getattr(self, result) + 1)


def process_batch(
    *, batch: ImportBatch, on_progress: Callable[[int], None] | None = None
) -> ImportBatch:
    """Apply a queued batch, all or nothing; a batch being processed or finished is left alone.

    On PostgreSQL a batch left "processing" by a worker that died mid-file (its transaction rolled
    back, its task delivered again) is taken over and processed from the start.
    """
    with _processing_lock(batch) as held:
        claimable = [ImportBatch.Status.QUEUED]
        if held is not None:
            if not held:  # another worker is processing it right now
                batch.refresh_from_db()
                return batch
            claimable.append(ImportBatch.Status.PROCESSING)  # nobody is: its worker died
        claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=claimable).update(
            status=ImportBatch.Status.PROCESSING, started_at=timezone.now()
        )
        batch.refresh_from_db()
        if not claimed:
            return batch
        return _process(batch, on_progress)


@contextmanager
def _processing_lock(batch: ImportBatch) -> Iterator[bool | None]:
    """A session lock on the batch (PostgreSQL): True when held, False when another session holds
    it; None where there are no such locks. A worker that dies releases it with its connection."""
    if connection.vendor != "postgresql":
        yield None
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [PROCESSING_LOCK_CLASS, batch.pk])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_unlock(%s, %s)", [PROCESSING_LOCK_CLASS, batch.pk]
                )


def _process(batch: ImportBatch, on_progress: Callable[[int], None] | None) -> ImportBatch:
    tally = Tally()
    try:
        with _fewer_collections(), transaction.atomic(), batch.file.open("rb") as stream:
            rows = _parser(batch.format)(stream, context=_context(batch))
            with ReadAhead(rows, CHUNK_ROWS) as chunks:
                for chunk in chunks:
                    unchanged_before = tally.unchanged
                    _apply_chunk(batch, chunk, tally)
                    # Mostly unchanged rows (a re-import): the reader need not build them.
                    chunks.build_rows = tally.unchanged - unchanged_before < len(chunk) / 2
                    cache.set(progress_key(batch.pk), tally.rows, timeout=3600)
                    if on_progress:
                        on_progress(tally.rows)
            if batch.snapshot:
                _settle_missing_invoices(batch, tally)
    except FileRejected as error:
        refused = Tally(rows=tally.rows)
        refused.add_error(RowError(line=0, field="", message=str(error)))
        return _finish(batch, ImportBatch.Status.REJECTED, refused, str(error))
    except Exception as error:  # noqa: BLE001 - any crash rolls the batch back and is reported
        logger.exception("Import batch %s failed", batch.pk)
        with translation.override(batch.tenant.language):
            summary = _(
                "The import stopped on an unexpected error (%(error)s) and was rolled back: "
                "nothing was imported. The operator has been notified."
            ) % {"error": type(error).__name__}
        return _finish(batch, ImportBatch.Status.FAILED, Tally(rows=tally.rows), summary)
    try:
        refresh_statistics((Invoice, Payer, PayerContact), rows=tally.created + tally.updated)
    except DatabaseError:  # the batch is committed: a missed ANALYZE only slows the next one
        logger.exception("ANALYZE after import batch %s failed", batch.pk)
    return _finish(batch, ImportBatch.Status.DONE, tally, _summary(batch, tally))


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Fewer runs of the cyclic garbage collector while a batch is processed.

    A chunk's thousands of short-lived records, items and plans (freed by reference counting:
    they hold no cycles) otherwise trigger a collection every 700 allocations, and the survivors
    of those promote into full collections that walk every object of the process, Django's own
    included: a third of a batch's CPU time at 50,000 rows. Objects alive before the batch are
    frozen out of the collector's walks (unless someone froze them before), and its thresholds
    are raised; both are restored afterwards.
    """
    thresholds, freezing = gc.get_threshold(), gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freezing:
            gc.unfreeze()


def _context(batch: ImportBatch) -> ParseContext:
    return ParseContext(
        tenant_nip=batch.tenant.nip,
        default_payment_term_days=batch.tenant.default_payment_term_days,
        column_mapping=dict(batch.mapping.mapping) if batch.mapping else {},
        file_name=batch.original_name,
        defer_invoices=True,
    )


def _apply_chunk(batch: ImportBatch, chunk: list[ParsedRow], tally: Tally) -> None:
    chunk, stored = _skip_unchanged_rows(batch, chunk, tally)
    invoices: list[tuple[int, dict]] = []
    digests: list[tuple[bytes, bytes] | None] = []  # of each of `invoices`, when read raw
    payers: list[tuple[int, dict]] = []
    payments: list[tuple[int, PaymentRecord]] = []
    corrections: list[tuple[int, InvoiceRecord]] = []
    for row in chunk:
        tally.rows += 1
        problems = [e for e in row.errors if not e.warning]
        for error in row.errors:
            tally.add_error(error)
        if row.record is None or problems:
            tally.rejected += 1
        elif isinstance(row.record, InvoiceRecord) and row.record.corrects_number:
            corrections.append((row.line, row.record))
        elif isinstance(row.record, InvoiceRecord):
            item = _invoice_item(batch.tenant, row, tally)
            if item is not None:
                invoices.append((row.line, item))
                digests.append((row.digests.invoice, row.digests.payer) if row.digests else None)
        elif isinstance(row.record, PayerRecord):
            payers.append((row.line, _payer_item(row.record)))
        elif isinstance(row.record, PaymentRecord):
            payments.append((row.line, row.record))
    if payers:
        report = upsert_payers(tenant=batch.tenant, items=[item for _line, item in payers])
        tally.known_payers.forget(item["external_id"] for _line, item in payers)
        _count_report(report, [line for line, _item in payers], tally)
    if invoices:
        source = Source.KSEF if batch.format == ImportBatch.Format.KSEF else Source.FILE
        if source == Source.KSEF:
            with_recorded_corrections(batch.tenant, [item for _line, item in invoices])
        report = upsert_invoices(
            tenant=batch.tenant,
            items=[item for _line, item in invoices],
            source=source,
            known_payers=tally.known_payers,
            staged=True,
            skip_unchanged=stored is None,  # else `_skip_unchanged_rows` has done it
            digests=digests,
            stored=stored,
        )
        _count_report(report, [line for line, _item in invoices], tally)
        if batch.snapshot:
            tally.invoice_ids_seen.update(item["external_id"] for _line, item in invoices)
    if corrections:
        apply_corrections(batch, corrections, tally)
    if payments:
        book_bank_entries(batch, payments, tally)


def _skip_unchanged_rows(
    batch: ImportBatch, chunk: list[ParsedRow], tally: Tally
) -> tuple[list[ParsedRow], dict[str, dict] | None]:
    """Count the deferred rows (`ParsedRow.pending`) the ledger holds as they are; build the rest.

    A row is unchanged when its raw digest and its payer's vouch for the stored invoice and payer
    (`invoices.bulk.unchanged_invoices`): it is neither built nor validated, which is most of what
    a nightly re-import of an unchanged ledger would cost. Returns the rows left to apply, and
    the stored invoices of the chunk's ids (read once, for the upsert too; None when not read).
    A chunk with payer rows is built whole: those rows may change a payer its invoices carry.
    """
    pending = [row.pending for row in chunk if row.pending is not None]
    if not pending:
        return chunk, None
    if any(isinstance(row.record, PayerRecord) for row in chunk):
        return [row.pending.built() if row.pending else row for row in chunk], None
    ids = [
        row.pending.external_id if row.pending else row.record.external_id
        for row in chunk
        if row.pending or isinstance(row.record, InvoiceRecord)
    ]
    stored = existing_invoices(batch.tenant, ids)
    keys = [
        ItemKey(
            external_id=deferred.external_id,
            digest=deferred.digests.invoice,
            payer_external_id=deferred.payer_external_id,
            payer_digest=deferred.digests.payer if deferred.inline_payer else None,
        )
        for deferred in pending
    ]
    unchanged = unchanged_invoices(batch.tenant, keys, stored, tally.known_payers)
    skipped = {id(pending[index]) for index in unchanged}
    rest = []
    for row in chunk:
        if row.pending is None:
            rest.append(row)
        elif id(row.pending) in skipped:
            tally.rows += 1
            tally.unchanged += 1
            tally.default_due_dates += row.pending.without_due_date
            if batch.snapshot:
                tally.invoice_ids_seen.add(row.pending.external_id)
        else:
            rest.append(row.pending.built())
    return rest, stored


def _invoice_item(tenant: Tenant, row: ParsedRow, tally: Tally) -> dict | None:
    record = row.record
    assert isinstance(record, InvoiceRecord)
    # A shallow copy: `dataclasses.asdict` deep-copies every value, a fifth of the import's time.
    item = dict(vars(record))
    payer = item.pop("payer")
    for unused in ("corrects_number", "corrects_ksef_number"):
        item.pop(unused)
    if payer is not None:
        item["payer"] = _payer_item(payer)
        item.pop("payer_external_id")
    if item["outstanding_amount"] is None:
        item.pop("outstanding_amount")
    if item["due_date"] is None:
        try:
            item["due_date"] = record.issue_date + datetime.timedelta(
                days=tenant.default_payment_term_days
            )
        except OverflowError:
            tally.rejected += 1
            tally.add_error(RowError(row.line, "issue_date", "The issue date is out of range."))
            return None
        tally.default_due_dates += 1
    return item


def _payer_item(record: PayerRecord) -> dict:
    """The record as the mapping `upsert_payers` takes; its lists copied, the rest immutable."""
    item = dict(vars(record))
    item["phones"], item["emails"] = list(record.phones), list(record.emails)
    return item


def _count_report(report: BulkReport, lines: list[int], tally: Tally) -> None:
    for result in report.results:
        tally.count({"error": "rejected"}.get(result.result, result.result))
        for field_name, messages in result.errors.items():
            for message in messages:
                tally.add_error(RowError(lines[result.index], field_name, message))


def _settle_missing_invoices(batch: ImportBatch, tally: Tally) -> None:
    """A full snapshot lists every open invoice: an open one it leaves out was settled.

    Not when rows were rejected (their invoices would look missing) or it lists no invoice.
    """
    if tally.rejected or not tally.invoice_ids_seen:
        tally.snapshot_withheld = (
            SNAPSHOT_HAD_REJECTIONS if tally.rejected else SNAPSHOT_WITHOUT_INVOICES
        )
        return
    today = tenant_today(batch.tenant)
    open_invoices = Invoice.objects.for_tenant(batch.tenant).filter(
        status__in=Invoice.UNSETTLED, outstanding_amount__gt=0
    )
    missing = [
        pk
        for pk, external_id in open_invoices.values_list("pk", "external_id").iterator()
        if external_id not in tally.invoice_ids_seen
    ]
    for start in range(0, len(missing), 1000):
        tally.settled_by_snapshot += (
            Invoice.objects.for_tenant(batch.tenant)
            .filter(pk__in=missing[start : start + 1000])
            .update(outstanding_amount=0, status=Invoice.Status.PAID, paid_on=today)
        )


def _summary(batch: ImportBatch, tally: Tally) -> str:
    """What the batch did, for a person: in the client's language, one sentence a line."""
    with translation.override(batch.tenant.language):
        return "\n".join(_summary_lines(batch, tally))


def _summary_lines(batch: ImportBatch, tally: Tally) -> Iterator[str]:
    if tally.rows and tally.rows == tally.unchanged and not tally.settled_by_snapshot:
        if batch.same_file_as_id:
            yield _(
                "Nothing changed: every row was already in the ledger "
                "(the same file as batch #%(batch)s)."
            ) % {"batch": batch.same_file_as_id}
        else:
            yield _("Nothing changed: every row was already in the ledger.")
    if tally.default_due_dates:
        yield ngettext(
            "%(count)d invoice had no due date: the client's default term of %(days)d days "
            "after the issue date was applied.",
            "%(count)d invoices had no due date: the client's default term of %(days)d days "
            "after the issue date was applied.",
            tally.default_due_dates,
        ) % {"count": tally.default_due_dates, "days": batch.tenant.default_payment_term_days}
    if tally.corrections_applied:
        yield ngettext(
            "%(count)d correction (KOR) applied to the invoice it corrects.",
            "%(count)d corrections (KOR) applied to the invoices they correct.",
            tally.corrections_applied,
        ) % {"count": tally.corrections_applied}
    if tally.corrections_overpaid:
        yield ngettext(
            "%(count)d correction left the payer overpaid.",
            "%(count)d corrections left the payer overpaid.",
            tally.corrections_overpaid,
        ) % {"count": tally.corrections_overpaid}
    if tally.matched_payments or tally.unmatched_payments:
        yield _(
            "Payments matched to invoices or payers: %(matched)d; waiting for review: %(waiting)d."
        ) % {"matched": tally.matched_payments, "waiting": tally.unmatched_payments}
    if tally.settled_by_snapshot:
        yield ngettext(
            "%(count)d open invoice missing from this snapshot was marked paid.",
            "%(count)d open invoices missing from this snapshot were marked paid.",
            tally.settled_by_snapshot,
        ) % {"count": tally.settled_by_snapshot}
    if tally.snapshot_withheld == SNAPSHOT_HAD_REJECTIONS:
        yield _("No invoice was marked paid by this snapshot: rows were rejected.")
    elif tally.snapshot_withheld == SNAPSHOT_WITHOUT_INVOICES:
        yield _("No invoice was marked paid by this snapshot: it lists no invoice.")
    if tally.rejected:
        yield ngettext(
            "%(count)d row rejected: see the errors below (CSV to download).",
            "%(count)d rows rejected: see the errors below (CSV to download).",
            tally.rejected,
        ) % {"count": tally.rejected}
    if tally.errors_not_stored:
        yield ngettext(
            "%(count)d further error was not stored.",
            "%(count)d further errors were not stored.",
            tally.errors_not_stored,
        ) % {"count": tally.errors_not_stored}


@transaction.atomic
def _finish(batch: ImportBatch, status: str, tally: Tally, summary: str) -> ImportBatch:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.rows_total = tally.rows
    batch.created_count = tally.created
    batch.updated_count = tally.updated
    batch.unchanged_count = tally.unchanged
    batch.rejected_count = tally.rejected
    batch.summary = summary
    batch.save()
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                tenant=batch.tenant,
                batch=batch,
                line=error.line,
                field=error.field[:100],
                message=error.message[:500],
                value=error.value[:200],
            )
            for error in tally.errors
        ],
        batch_size=2000,
    )
    cache.delete(progress_key(batch.pk))
    publish_event(tenant=batch.tenant, event_type="import.finished", data=finished_event(batch))
    return batch


def finished_event(batch: ImportBatch) -> dict:
    """The `import.finished` webhook's data: what the ERP needs to know the batch's outcome."""
    return {
        "import_id": batch.pk,
        "status": batch.status,
        "format": batch.format,
        "channel": batch.channel,
        "file_name": batch.original_name,
        "sha256": batch.sha256,
        "snapshot": batch.snapshot,
        "rows_total": batch.rows_total,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "rejected": batch.rejected_count,
        "summary": batch.summary,
        "finished_at": batch.finished_at.isoformat(),
    }
