"""A re-imported row whose stored digest matches skips validation; a row changed since never does.

The digest covers the item and the stored values it produced (`payers.bulk.digest`), so any
other write (a payment, a snapshot settling, an edit of the payer or its contacts) defeats it and
the row takes the full path, which decides as it always did.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from imports.models import ImportBatch
from invoices.bulk import INVOICE_FIELDS, KnownPayers, input_digest, upsert_invoices
from invoices.models import Invoice
from invoices.services import record_payment
from payers.bulk.digest import item_digest, state_digest
from payers.bulk.upsert import unchanged_payers
from payers.models import Payer, PayerContact
from tests.factories import TenantFactory, valid_nip
from tests.imports.conftest import FEED

pytestmark = pytest.mark.django_db


def item(n: int, **changes) -> dict:
    """An invoice item as the file import builds it, its payer inline (two invoices a payer)."""
    return {
        "external_id": f"INV-{n}",
        "number": f"FV/{n}",
        "issue_date": datetime.date(2026, 10, 1),
        "due_date": datetime.date(2026, 10, 15),
        "gross_amount": Decimal("100.00"),
        "outstanding_amount": Decimal("100.00"),
        "currency": "PLN",
        "kind": "invoice",
        "contract_number": "",
        "instalment_number": None,
        "paid_on": None,
        "payer": {
            "external_id": f"K{n // 2}",
            "name": f"Kwiaciarnia {n // 2}",
            "kind": "business",
            "nip": valid_nip(n // 2),
            "nip_flagged": False,
            "street": "",
            "postal_code": "",
            "city": "Kraków",
            "country": "PL",
            "phones": [f"60{n // 2:07d}"],
            "emails": [f"biuro{n // 2}@example.pl"],
        },
    } | changes


def upsert(tenant, items):
    """As a file import calls it: one transaction, inline payers remembered, digests checked."""
    with transaction.atomic():
        return upsert_invoices(
            tenant=tenant,
            items=items,
            source="file",
            known_payers=KnownPayers(),
            staged=True,
            skip_unchanged=True,
        )


def outcome(report) -> dict[str, str]:
    return {result.external_id: result.result for result in report.results}


@pytest.fixture
def imported():
    tenant = TenantFactory()
    items = [item(n) for n in range(4)]
    upsert(tenant, items)
    return tenant, items


def payer_digests(items) -> dict[str, bytes]:
    """The input digest of each item's inline payer, by the payer's external id."""
    return {given["payer"]["external_id"]: item_digest(given["payer"]) for given in items}


def assert_digests_match(tenant, items) -> None:
    """Each stored invoice and payer carries the digest a re-import of `items` compares."""
    for given in items:
        stored = Invoice.objects.for_tenant(tenant).values().get(external_id=given["external_id"])
        values = [stored[name] for name in INVOICE_FIELDS]
        assert stored["import_digest"] == state_digest(input_digest(given), values)
    payer_ids = dict(Payer.objects.for_tenant(tenant).values_list("external_id", "id"))
    assert unchanged_payers(tenant=tenant, digests=payer_digests(items)) == payer_ids


def test_every_written_row_carries_the_digest_a_reimport_compares(imported):
    assert_digests_match(*imported)


def test_the_same_items_again_are_unchanged_and_write_nothing(imported):
    tenant, items = imported
    before = sorted(Invoice.objects.for_tenant(tenant).values_list("id", "updated_at"))

    report = upsert(tenant, items)

    assert set(outcome(report).values()) == {"unchanged"}
    assert [result.index for result in report.results] == [0, 1, 2, 3]
    assert all(result.id for result in report.results)
    assert sorted(Invoice.objects.for_tenant(tenant).values_list("id", "updated_at")) == before


def test_a_changed_item_is_updated(imported):
    tenant, items = imported

    report = upsert(tenant, [items[0], item(1, outstanding_amount=Decimal("40.00"))])

    assert outcome(report) == {"INV-0": "unchanged", "INV-1": "updated"}
    invoice = Invoice.objects.for_tenant(tenant).get(external_id="INV-1")
    assert (invoice.outstanding_amount, invoice.status) == (Decimal("40.00"), "partially_paid")


def test_a_payment_booked_since_is_not_skipped(imported):
    tenant, items = imported
    invoice = Invoice.objects.for_tenant(tenant).get(external_id="INV-0")
    record_payment(
        tenant=tenant,
        payer=invoice.payer,
        invoice=invoice,
        amount=Decimal("30.00"),
        paid_on=datetime.date(2026, 10, 5),
    )

    report = upsert(tenant, items)

    # The ERP's outstanding amount is its truth (invoices.bulk): the row is written again.
    assert outcome(report)["INV-0"] == "updated"
    invoice.refresh_from_db()
    assert (invoice.outstanding_amount, invoice.status) == (Decimal("100.00"), "open")


def test_an_invoice_settled_by_a_snapshot_is_not_skipped(imported):
    tenant, items = imported
    Invoice.objects.for_tenant(tenant).filter(external_id="INV-2").update(
        outstanding_amount=0, status=Invoice.Status.PAID, paid_on=datetime.date(2026, 10, 9)
    )

    report = upsert(tenant, items)

    assert outcome(report)["INV-2"] == "updated"
    invoice = Invoice.objects.for_tenant(tenant).get(external_id="INV-2")
    assert (invoice.outstanding_amount, invoice.status, invoice.paid_on) == (100, "open", None)


def test_a_payer_edited_since_gets_the_files_data_again(imported):
    tenant, items = imported
    Payer.objects.for_tenant(tenant).filter(external_id="K0").update(name="Edited by hand")

    report = upsert(tenant, items)

    assert set(outcome(report).values()) == {"unchanged"}  # the invoices themselves
    assert Payer.objects.for_tenant(tenant).get(external_id="K0").name == "Kwiaciarnia 0"


def test_a_deleted_contact_comes_back(imported):
    tenant, items = imported
    PayerContact.objects.for_tenant(tenant).filter(payer__external_id="K1", kind="email").delete()

    upsert(tenant, items)

    emails = PayerContact.objects.for_tenant(tenant).filter(payer__external_id="K1", kind="email")
    assert list(emails.values_list("value", flat=True)) == ["biuro1@example.pl"]


def test_a_contact_marked_since_defeats_the_payers_digest(imported):
    tenant, items = imported
    contacts = PayerContact.objects.for_tenant(tenant).filter(payer__external_id="K0")
    contacts.filter(kind="phone").update(opted_out_at=timezone.now())

    assert set(unchanged_payers(tenant=tenant, digests=payer_digests(items))) == {"K1"}
    report = upsert(tenant, items)

    assert set(outcome(report).values()) == {"unchanged"}
    assert contacts.get(kind="phone").opted_out_at is not None  # the objection is kept


def test_a_payer_moved_to_another_id_is_not_skipped(imported):
    """An invoice's digest covers its payer's id: the same item naming another payer is new."""
    tenant, items = imported
    moved = item(0, payer=item(5)["payer"])  # INV-0 now belongs to payer K2

    report = upsert(tenant, [moved])

    assert outcome(report) == {"INV-0": "updated"}
    invoice = Invoice.objects.for_tenant(tenant).get(external_id="INV-0")
    assert invoice.payer.external_id == "K2"


def test_differing_copies_of_a_payer_in_one_call_are_still_an_error(imported):
    tenant, items = imported
    changed_payer = items[1]["payer"] | {"name": "Another name"}

    report = upsert(tenant, [items[0], item(1, payer=changed_payer)])

    assert outcome(report) == {"INV-0": "unchanged", "INV-1": "error"}
    assert "payer" in report.results[1].errors


def test_a_duplicate_id_in_one_call_is_still_an_error(imported):
    tenant, items = imported

    report = upsert(tenant, [items[0], items[0]])

    assert [result.result for result in report.results] == ["unchanged", "error"]


def test_reimporting_a_file_after_a_payment_updates_that_invoice_only(swiezak, run_import):
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    invoice = Invoice.objects.for_tenant(swiezak).order_by("external_id").first()
    record_payment(
        tenant=swiezak,
        payer=invoice.payer,
        invoice=invoice,
        amount=Decimal("1.00"),
        paid_on=datetime.date(2026, 11, 20),
    )

    batch = run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    assert batch.status == ImportBatch.Status.DONE
    assert (batch.updated_count, batch.unchanged_count) == (1, 39)
    assert Invoice.objects.for_tenant(swiezak).filter(import_digest="").count() == 0


def by_reference(n: int, payer: str) -> dict:
    """An invoice item naming its payer by external id, as the API's bulk calls may."""
    fields = item(n)
    del fields["payer"]
    return fields | {"payer_external_id": payer}


def test_invoices_naming_their_payer_by_id_are_skipped_while_that_payer_stays(imported):
    tenant, _items = imported
    upsert(tenant, [by_reference(7, "K0")])

    again = upsert(tenant, [by_reference(7, "K0")])
    moved = upsert(tenant, [by_reference(7, "K1")])

    assert outcome(again) == {"INV-7": "unchanged"}
    assert outcome(moved) == {"INV-7": "updated"}
    assert Invoice.objects.for_tenant(tenant).get(external_id="INV-7").payer.external_id == "K1"


def test_a_payer_written_without_an_import_has_no_digest_to_match(imported):
    tenant, items = imported
    payer = Payer.objects.for_tenant(tenant).get(external_id="K0")
    payer.import_digest = ""  # as the payers made by hand or by create_payer
    payer.save()

    assert set(unchanged_payers(tenant=tenant, digests=payer_digests(items[:1]))) == set()
    assert set(outcome(upsert(tenant, items)).values()) == {"unchanged"}


def test_an_unchanged_row_without_a_matching_digest_gets_one_for_next_time(imported):
    tenant, items = imported
    Invoice.objects.for_tenant(tenant).update(import_digest="")
    Payer.objects.for_tenant(tenant).update(import_digest="")
    before = sorted(Invoice.objects.for_tenant(tenant).values_list("id", "updated_at"))

    report = upsert(tenant, items)

    assert set(outcome(report).values()) == {"unchanged"}
    assert sorted(Invoice.objects.for_tenant(tenant).values_list("id", "updated_at")) == before
    assert_digests_match(tenant, items)


def test_a_batch_leaves_the_garbage_collector_as_it_found_it(swiezak, run_import):
    """A worker runs many batches: the collector's tuning for one must not outlive it."""
    import gc

    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()

    done = run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    refused = run_import(swiezak, FEED / "missing_columns.csv")

    assert (done.status, refused.status) == (ImportBatch.Status.DONE, ImportBatch.Status.REJECTED)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, frozen)
