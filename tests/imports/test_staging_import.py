"""The file import's fast path: COPY through a staging table on PostgreSQL, each inline payer
checked once per batch. It stores and reports exactly what the ORM path does, on every database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from imports import processing
from imports.models import ImportBatch
from imports.parsers.base import InvoiceRecord, ParsedRow, PayerRecord
from invoices.bulk import upsert_invoices
from invoices.models import Invoice
from payers.bulk import BulkWriteFailed
from payers.models import Payer, PayerContact
from tests.factories import TenantFactory, valid_nip

HEADER = "Numer dokumentu;Data wystawienia;Termin płatności;Kod kontrahenta;Kontrahent;NIP;"
HEADER += "Telefon;E-mail;Kwota brutto;Pozostało do zapłaty;Waluta;Id"


def csv_file(rows: list[str]) -> bytes:
    return "\r\n".join([HEADER, *rows]).encode("cp1250") + b"\r\n"


def csv_row(n: int, payer: str = "K1", name: str = "Kwiaciarnia Różana", **cells: str) -> str:
    values = {
        "number": f"FV/2026/{n:04d}",
        "issued": "01.10.2026",
        "due": "15.10.2026",
        "payer": payer,
        "name": name,
        "nip": valid_nip(int(payer[1:])),
        "phone": f"60{int(payer[1:]):07d}",
        "email": f"biuro@{payer.lower()}.example.pl",
        "gross": "1230,00",
        "outstanding": "1230,00",
        "currency": "PLN",
        "id": f"INV-{n}",
    } | cells
    return ";".join(values.values())


def item(n: int, **changes) -> dict:
    """An invoice as the import hands it over, with text that needs quoting in CSV and COPY."""
    return {
        "external_id": f'FV;{n}, "A"\\{n}',
        "number": f"FV/{n}\ttab",
        "issue_date": datetime.date(2026, 10, 1),
        "due_date": datetime.date(2026, 10, 15),
        "gross_amount": Decimal("1230.00"),
        "outstanding_amount": Decimal("1230.00"),
        "currency": "PLN",
        "kind": "instalment" if n % 2 else "invoice",
        "contract_number": "" if n % 2 else 'UM/1, "leasing"',
        "instalment_number": 3 if n % 2 else None,
        "paid_on": None,
        "payer": {
            "external_id": f"K,{n % 3}",
            "name": f'Hurtownia "Łąka"; {n % 3}',
            "kind": "business",
            "nip": valid_nip(n % 3),
            "nip_flagged": False,
            "street": "",
            "postal_code": "",
            "city": "Kraków",
            "country": "PL",
            "phones": [f"60{n % 3:07d}"],
            "emails": [f"Biuro{n % 3}@example.pl"],
        },
    } | changes


# Ids, time stamps and the import digests (which cover the payer's id) differ between tenants.
ASIDE = ("id", "tenant_id", "payer_id", "created_at", "updated_at", "import_digest")


def ledger(tenant) -> dict:
    """Everything an upsert stores for a tenant, ids, time stamps and digests aside."""
    invoice_fields = [f.attname for f in Invoice._meta.concrete_fields if f.attname not in ASIDE]
    payer_fields = [f.attname for f in Payer._meta.concrete_fields if f.attname not in ASIDE]
    return {
        "invoices": sorted(
            Invoice.objects.for_tenant(tenant).values_list("payer__external_id", *invoice_fields)
        ),
        "payers": sorted(Payer.objects.for_tenant(tenant).values_list(*payer_fields)),
        "contacts": sorted(
            PayerContact.objects.for_tenant(tenant).values_list(
                "payer__external_id", "kind", "value", "is_primary", "is_wrong", "label"
            )
        ),
    }


def results(report) -> list[tuple]:
    return [(r.index, r.external_id, r.result, r.errors) for r in report.results]


@pytest.mark.django_db
def test_staged_writes_store_and_report_what_the_orm_path_does():
    orm, staged = TenantFactory(), TenantFactory()
    first = [item(n) for n in range(7)]
    second = [
        item(0),  # unchanged
        item(1, outstanding_amount=Decimal("200.00")),  # partly paid
        item(2, outstanding_amount=Decimal("0.00"), paid_on=datetime.date(2026, 10, 9)),
        item(3, number="FV/3 corrected"),
        item(4, gross_amount=Decimal("5.00")),  # outstanding above gross: an error
        item(9),  # new
    ]
    new_payer = {"external_id": "K,9", "phones": [], "emails": ["nowy@example.pl"]}
    second[5]["payer"] = second[5]["payer"] | new_payer

    for items in (first, second):
        with transaction.atomic():
            by_orm = upsert_invoices(tenant=orm, items=items, source="file")
        with transaction.atomic():
            by_copy = upsert_invoices(tenant=staged, items=items, source="file", staged=True)
        assert results(by_copy) == results(by_orm)
        assert ledger(staged) == ledger(orm)

    summary = by_copy.summary
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (1, 3, 1)
    assert ledger(staged)["invoices"] and ledger(staged)["contacts"]


@pytest.mark.django_db
def test_the_staged_path_gives_every_written_invoice_its_id():
    tenant = TenantFactory()

    report = upsert_invoices(tenant=tenant, items=[item(n) for n in range(4)], staged=True)

    stored = dict(Invoice.objects.for_tenant(tenant).values_list("external_id", "id"))
    assert {r.external_id: r.id for r in report.results} == stored


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
@pytest.mark.django_db
def test_a_refused_staged_write_applies_nothing_and_leaves_the_transaction_usable(monkeypatch):
    tenant = TenantFactory()

    def refuse(*args, **kwargs):
        raise IntegrityError("simulated: a concurrent writer won")

    monkeypatch.setattr("invoices.bulk.copy_upsert", refuse)
    with transaction.atomic():
        with pytest.raises(BulkWriteFailed):
            upsert_invoices(tenant=tenant, items=[item(1)], staged=True)
        assert not Payer.objects.for_tenant(tenant).exists()  # payers written first: undone


def test_a_payer_repeated_across_chunks_is_written_once_and_follows_its_last_copy(
    swiezak, run_import, monkeypatch
):
    monkeypatch.setattr(processing, "CHUNK_ROWS", 2)
    rows = [
        csv_row(1),
        csv_row(2, payer="K2", name="Transport Bałtyk"),
        csv_row(3),  # K1 again, identical: known from the first chunk
        csv_row(4, payer="K2", name="Transport Bałtyk"),
        csv_row(5, name="Kwiaciarnia Różana s.c."),  # K1 renamed in a later chunk
    ]

    batch = run_import(swiezak, csv_file(rows))

    assert (batch.created_count, batch.rejected_count) == (5, 0)
    payers = Payer.objects.for_tenant(swiezak)
    assert dict(payers.values_list("external_id", "name")) == {
        "K1": "Kwiaciarnia Różana s.c.",
        "K2": "Transport Bałtyk",
    }
    k1_contacts = PayerContact.objects.for_tenant(swiezak).filter(payer__external_id="K1")
    assert sorted(k1_contacts.values_list("kind", "value", "is_primary")) == [
        ("email", "biuro@k1.example.pl", True),
        ("phone", "+48600000001", True),
    ]
    owners = Invoice.objects.for_tenant(swiezak).values_list("payer__external_id", flat=True)
    assert set(owners) == {"K1", "K2"}


def test_reimport_says_unchanged_and_a_changed_row_is_updated(swiezak, run_import, monkeypatch):
    monkeypatch.setattr(processing, "CHUNK_ROWS", 2)
    rows = [csv_row(n, payer=f"K{n % 2 + 1}") for n in range(1, 6)]
    run_import(swiezak, csv_file(rows))
    stamps = dict(Invoice.objects.for_tenant(swiezak).values_list("external_id", "updated_at"))

    again = run_import(swiezak, csv_file(rows))
    rows[2] = csv_row(3, payer="K2", outstanding="30,00")
    changed = run_import(swiezak, csv_file(rows))

    assert (again.unchanged_count, again.updated_count, again.created_count) == (5, 0, 0)
    assert "Nothing changed" in again.summary
    assert (changed.unchanged_count, changed.updated_count) == (4, 1)
    invoice = Invoice.objects.for_tenant(swiezak).get(external_id="INV-3")
    assert (invoice.outstanding_amount, invoice.status) == (Decimal("30.00"), "partially_paid")
    after = dict(Invoice.objects.for_tenant(swiezak).values_list("external_id", "updated_at"))
    assert {key for key in after if after[key] != stamps[key]} == {"INV-3"}


def test_a_payer_row_between_two_copies_of_an_inline_payer_is_not_forgotten(swiezak):
    """A payer written by a payer row is read again, not taken as known from an earlier chunk."""
    batch = ImportBatch.objects.create(tenant=swiezak, format="jsonl", original_name="x.jsonl")
    tally = processing.Tally()

    def invoice_row(n: int) -> ParsedRow:
        payer = PayerRecord(external_id="K1", name="Kwiaciarnia", phones=["600000001"])
        record = InvoiceRecord(
            external_id=f"INV-{n}",
            number=f"FV/{n}",
            payer_external_id="K1",
            issue_date=datetime.date(2026, 10, 1),
            due_date=datetime.date(2026, 10, 15),
            gross_amount=Decimal("10.00"),
            payer=payer,
        )
        return ParsedRow(line=n, record=record)

    with transaction.atomic():
        processing._apply_chunk(batch, [invoice_row(1)], tally)
        renamed = PayerRecord(external_id="K1", name="Renamed by a payer row")
        processing._apply_chunk(batch, [ParsedRow(line=2, record=renamed)], tally)
        processing._apply_chunk(batch, [invoice_row(3)], tally)

    assert Payer.objects.for_tenant(swiezak).get(external_id="K1").name == "Kwiaciarnia"
    assert (tally.created, tally.updated, tally.rejected) == (2, 1, 0)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_a_large_import_refreshes_the_planners_statistics():
    """Otherwise the next import's lookups scan the tenant's rows (see refresh_statistics)."""
    from payers.bulk.staging import ANALYZE_AFTER_ROWS, refresh_statistics

    upsert_invoices(tenant=TenantFactory(), items=[item(n) for n in range(3)], staged=True)

    def rows_known_to_the_planner() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'invoices_invoice'")
            return cursor.fetchone()[0]

    refresh_statistics([Invoice], rows=ANALYZE_AFTER_ROWS - 1)
    assert rows_known_to_the_planner() != 3  # a small import leaves them to autovacuum
    refresh_statistics([Invoice], rows=ANALYZE_AFTER_ROWS)
    assert rows_known_to_the_planner() == 3
