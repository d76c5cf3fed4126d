"""A file becomes ledger rows all at once, or not at all; a second import changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db.models import Sum

from imports.models import BankEntry, ImportBatch, ImportRowError
from invoices.models import Invoice, Payment
from payers.models import Payer
from tests.imports.conftest import BANK, FEED

EXPECTED = json.loads((FEED / "expected.json").read_text(encoding="utf-8"))


def test_erp_csv_creates_every_invoice_and_payer_of_the_feed(swiezak, run_import):
    batch = run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    assert batch.status == ImportBatch.Status.DONE
    assert (batch.rows_total, batch.created_count, batch.rejected_count) == (40, 40, 0)
    invoices = Invoice.objects.for_tenant(swiezak)
    assert invoices.count() == EXPECTED["invoices"]
    assert Payer.objects.for_tenant(swiezak).count() == EXPECTED["payers"]
    total = invoices.aggregate(total=Sum("gross_amount"))["total"]
    assert total.quantize(Decimal("0.01")) == Decimal(EXPECTED["invoice_total"])
    assert set(invoices.values_list("source", flat=True)) == {"file"}


def test_the_same_invoices_as_json_lines_change_nothing_and_say_so(swiezak, run_import):
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    before = list(Invoice.objects.for_tenant(swiezak).values_list("pk", "updated_at"))

    batch = run_import(swiezak, FEED / "invoices.jsonl")

    assert (batch.unchanged_count, batch.created_count, batch.updated_count) == (40, 0, 0)
    assert "Nothing changed" in batch.summary
    assert list(Invoice.objects.for_tenant(swiezak).values_list("pk", "updated_at")) == before


def test_reimporting_the_same_file_names_the_earlier_batch(swiezak, run_import):
    first = run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    second = run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    assert second.same_file_as_id == first.pk
    assert f"batch #{first.pk}" in second.summary


def test_a_file_missing_required_columns_is_rejected_whole(swiezak, run_import):
    batch = run_import(swiezak, FEED / "missing_columns.csv")

    assert batch.status == ImportBatch.Status.REJECTED
    assert Invoice.objects.for_tenant(swiezak).count() == 0
    error = ImportRowError.objects.for_tenant(swiezak).get(batch=batch)
    assert error.line == 0 and error.message


def test_bad_rows_are_reported_with_line_and_field_and_the_rest_is_imported(swiezak, run_import):
    batch = run_import(swiezak, FEED / "broken_values.csv")

    errors = list(ImportRowError.objects.for_tenant(swiezak).filter(batch=batch))
    assert batch.status == ImportBatch.Status.DONE
    assert batch.rejected_count > 0 and errors
    assert all(error.line >= 2 and error.message for error in errors)
    assert Invoice.objects.for_tenant(swiezak).count() == batch.created_count


def test_a_statement_truncated_midway_leaves_the_ledger_as_it_was(swiezak, run_import):
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    whole = (BANK / "statement_camt053.xml").read_bytes()
    truncated = whole[: int(len(whole) * 0.8)]

    batch = run_import(swiezak, truncated, name="statement.xml")

    assert batch.status == ImportBatch.Status.REJECTED
    assert BankEntry.objects.for_tenant(swiezak).count() == 0
    assert Payment.objects.for_tenant(swiezak).count() == 0


def test_bank_statement_pays_the_invoices_named_in_the_titles(swiezak, run_import):
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    batch = run_import(swiezak, BANK / "statement_camt053.xml")

    matched = BankEntry.objects.for_tenant(swiezak).filter(state=BankEntry.State.MATCHED)
    assert batch.created_count == len(EXPECTED["payments"]) == 13
    assert matched.count() == 12
    waiting = BankEntry.objects.for_tenant(swiezak).get(state=BankEntry.State.UNMATCHED)
    assert waiting.title == "ZWROT KAUCJI"  # a deposit refund names no invoice: left for review
    first = EXPECTED["payments"][0]
    invoice = Invoice.objects.for_tenant(swiezak).get(external_id=first["invoice_external_id"])
    assert invoice.paid_amount >= Decimal(first["amount"])


def test_a_statement_repeated_in_another_layout_books_nothing_twice(swiezak, run_import):
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    run_import(swiezak, BANK / "statement_pko_multiline_cp1250.mt940")
    payments = Payment.objects.for_tenant(swiezak).count()

    batch = run_import(swiezak, BANK / "statement_pko_structured_cp1250.sta")

    assert batch.unchanged_count == batch.rows_total > 0
    assert Payment.objects.for_tenant(swiezak).count() == payments


def test_a_snapshot_settles_open_invoices_it_leaves_out(swiezak, run_import):
    run_import(swiezak, FEED / "invoices.jsonl")
    lines = (FEED / "invoices.jsonl").read_bytes().splitlines(keepends=True)
    kept = b"".join(lines[:30])

    batch = run_import(swiezak, kept, name="snapshot.jsonl", snapshot=True)

    left_out = [json.loads(line)["external_id"] for line in lines[30:]]
    settled = Invoice.objects.for_tenant(swiezak).filter(external_id__in=left_out)
    assert {invoice.status for invoice in settled} == {Invoice.Status.PAID}
    assert "10 open invoices missing from this snapshot were marked paid." in batch.summary


def test_a_ksef_invoice_of_another_seller_is_rejected_and_nothing_else_changes(swiezak, run_import):
    sample = next((BANK.parent / "ksef").glob("fa3_podstawowa_FA_3_Przyklad_1.xml"))

    batch = run_import(swiezak, sample)

    assert batch.rejected_count == 1
    assert "seller" in ImportRowError.objects.for_tenant(swiezak).get(batch=batch).message
    assert Invoice.objects.for_tenant(swiezak).count() == 0


def test_a_processed_batch_is_never_processed_twice(swiezak, run_import):
    from imports.processing import process_batch

    batch = run_import(swiezak, FEED / "invoices.jsonl")
    again = process_batch(batch=batch)

    assert again.created_count == 40
    assert Invoice.objects.for_tenant(swiezak).count() == 40


def test_the_summary_is_written_in_the_clients_language(swiezak, run_import):
    swiezak.language = "pl"
    swiezak.save(update_fields=["language"])
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    again = run_import(swiezak, FEED / "invoices.jsonl")

    assert again.summary.startswith("Nic się nie zmieniło: każdy wiersz był już w księgach")
