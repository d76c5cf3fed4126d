"""A re-imported row the ledger already holds is recognised from its raw values, unbuilt.

File imports read invoice rows deferred (`ParsedRow.pending`): the row's identity and the
digests of its raw values first, the record only when the digests do not vouch for the stored
invoice and payer (`imports.processing._skip_unchanged_rows`). Whatever changed since — in the
file or in the ledger — still takes the full path. The reading runs a chunk ahead on a thread
(`imports.readahead`).
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal

import pytest
from django.db import transaction

from imports.models import ImportBatch
from imports.parsers import csv_parser
from imports.parsers.base import FileRejected, ParseContext, ParsedRow
from imports.processing import Tally, _skip_unchanged_rows
from imports.readahead import ReadAhead
from invoices.models import Invoice
from payers.models import Payer
from tests.imports.conftest import FEED

pytestmark = pytest.mark.django_db

SAMPLE = FEED / "invoices_erp_cp1250.csv"


def sample_lines() -> list[str]:
    return SAMPLE.read_bytes().decode("cp1250").splitlines()


def as_file(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1250")


def deferred_rows(content: bytes) -> list[ParsedRow]:
    stream = io.BytesIO(content)
    return list(csv_parser.parse(stream, context=ParseContext(defer_invoices=True)))


def stored_digests(tenant) -> dict[str, str]:
    return dict(Invoice.objects.for_tenant(tenant).values_list("external_id", "import_digest"))


def test_an_unchanged_file_is_recognised_without_building_a_row(swiezak, run_import):
    run_import(swiezak, SAMPLE)
    rows = deferred_rows(SAMPLE.read_bytes())
    batch = ImportBatch.objects.for_tenant(swiezak).get()
    tally = Tally()

    with transaction.atomic():
        rest, _stored = _skip_unchanged_rows(batch, rows, tally)

    assert rest == []
    assert (tally.rows, tally.unchanged) == (40, 40)
    assert all(row.pending is not None and row.pending.result is None for row in rows)


def test_a_row_changed_in_the_file_is_updated_and_the_others_stay(swiezak, run_import):
    run_import(swiezak, SAMPLE)
    lines = sample_lines()
    cells = lines[1].split(";")
    cells[9] = "100,00"  # Pozostało do zapłaty
    lines[1] = ";".join(cells)

    batch = run_import(swiezak, as_file(lines), name="changed.csv")

    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (0, 1, 39)
    invoice = Invoice.objects.for_tenant(swiezak).get(external_id=cells[11])
    assert invoice.outstanding_amount == Decimal("100.00")
    assert invoice.status == Invoice.Status.PARTIALLY_PAID


def test_a_payer_edited_since_gets_the_files_data_again(swiezak, run_import):
    run_import(swiezak, SAMPLE)
    Payer.objects.for_tenant(swiezak).filter(external_id="K1000").update(name="Renamed by hand")

    batch = run_import(swiezak, SAMPLE)

    assert batch.status == ImportBatch.Status.DONE
    assert Payer.objects.for_tenant(swiezak).get(external_id="K1000").name == "Kwiaciarnia Różana"


def test_the_same_rows_with_columns_reordered_are_checked_in_full_and_stay_unchanged(
    swiezak, run_import
):
    run_import(swiezak, SAMPLE)
    digests = stored_digests(swiezak)
    lines = [";".join(reversed(line.split(";"))) for line in sample_lines()]

    batch = run_import(swiezak, as_file(lines), name="reordered.csv")

    assert (batch.updated_count, batch.unchanged_count, batch.rejected_count) == (0, 40, 0)
    refreshed = dict(
        Invoice.objects.for_tenant(swiezak).values_list("external_id", "import_digest")
    )
    assert refreshed.keys() == digests.keys()
    assert all(refreshed[key] != digests[key] for key in digests)  # so the next one skips them
    assert run_import(swiezak, as_file(lines), name="again.csv").unchanged_count == 40


def test_a_repeated_invoice_id_is_still_reported_on_a_reimport(swiezak, run_import):
    run_import(swiezak, SAMPLE)
    lines = sample_lines()

    batch = run_import(swiezak, as_file([*lines, lines[1]]), name="repeated.csv")

    assert (batch.unchanged_count, batch.rejected_count) == (40, 1)
    error = batch.row_errors.get()
    assert (error.line, error.message) == (42, "duplicate invoice id: already on line 2")


def test_a_row_missing_its_due_date_is_still_counted_on_a_reimport(swiezak, run_import):
    lines = sample_lines()
    cells = lines[1].split(";")
    cells[2] = ""  # Termin płatności
    lines[1] = ";".join(cells)
    first = run_import(swiezak, as_file(lines), name="no_due_date.csv")

    again = run_import(swiezak, as_file(lines), name="no_due_date_again.csv")

    assert first.created_count == 40 and again.unchanged_count == 40
    assert "1 invoice had no due date" in first.summary
    assert "1 invoice had no due date" in again.summary


def test_a_row_without_due_date_is_checked_in_full_once_the_clients_term_changed(
    swiezak, run_import
):
    lines = sample_lines()
    cells = lines[1].split(";")
    cells[2] = ""  # Termin płatności; issued on 29.10.2026
    lines[1] = ";".join(cells)
    run_import(swiezak, as_file(lines), name="no_due_date.csv")
    swiezak.default_payment_term_days = 30
    swiezak.save()

    batch = run_import(swiezak, as_file(lines), name="no_due_date_again.csv")

    assert (batch.updated_count, batch.unchanged_count) == (1, 39)
    invoice = Invoice.objects.for_tenant(swiezak).get(external_id=cells[11])
    assert str(invoice.due_date) == "2026-11-28"
    assert "default term of 30 days" in batch.summary


def read_ahead_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "import-read-ahead"]


def test_the_reader_hands_over_every_row_in_chunks():
    rows = (ParsedRow(line=number, record=None) for number in range(1, 8))

    with ReadAhead(rows, 3) as chunks:
        sizes = [[row.line for row in chunk] for chunk in chunks]

    assert sizes == [[1, 2, 3], [4, 5, 6], [7]]
    assert read_ahead_threads() == []


def test_a_parser_error_is_raised_to_the_consumer_after_the_rows_before_it():
    def rows():
        yield ParsedRow(line=1, record=None)
        raise FileRejected("byte 0x98 after line 1 does not fit")

    seen = []
    with pytest.raises(FileRejected, match="0x98"), ReadAhead(rows(), 1) as chunks:
        seen.extend(row.line for chunk in chunks for row in chunk)

    assert seen == [1]
    assert read_ahead_threads() == []


def test_a_consumer_that_stops_early_stops_the_reader():
    rows = (ParsedRow(line=number, record=None) for number in range(1, 10_000))

    with pytest.raises(RuntimeError), ReadAhead(rows, 10) as chunks:
        for _chunk in chunks:
            raise RuntimeError("the database refused a write")

    assert read_ahead_threads() == []
