"""KSeF corrections (KOR): a correcting invoice changes the amount of the invoice it corrects.

The correction is found by the corrected invoice's KSeF number, else by its number (narrowed by
the buyer when several invoices share it), and applied through the ledger's `correct_invoice`,
which records it once: a correction received again is unchanged, never applied twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from imports.models import ImportBatch
from imports.parsers.base import InvoiceRecord, RowError
from invoices.models import Invoice, InvoiceCorrection, Source
from invoices.services import correct_invoice
from tenants.models import Tenant

if TYPE_CHECKING:
    from imports.processing import Tally


def apply_corrections(
    batch: ImportBatch, corrections: list[tuple[int, InvoiceRecord]], tally: Tally
) -> None:
    """Apply each correction in its own savepoint: a refused one is reported and changes nothing."""
    for line, record in corrections:
        invoice, problem = _corrected_invoice(batch.tenant, record)
        if invoice is None:
            _reject(tally, line, "Fa/DaneFaKorygowanej/NrFaKorygowanej", problem, record)
            continue
        if invoice.currency != record.currency:
            problem = (
                f"the correction is in {record.currency} but invoice {invoice.number} "
                f"is in {invoice.currency}"
            )
            _reject(tally, line, "Fa/KodWaluty", problem, record)
            continue
        try:
            with transaction.atomic():
                correction, applied = correct_invoice(
                    tenant=batch.tenant,
                    invoice=invoice,
                    external_id=record.external_id,
                    number=record.number,
                    issue_date=record.issue_date,
                    gross_delta=record.gross_amount,
                    source=Source.KSEF,
                )
        except ValidationError as error:
            for messages in error.message_dict.values():
                for message in messages:
                    _reject(tally, line, "Fa/P_15", message, record)
            continue
        if not applied:
            tally.unchanged += 1
            continue
        tally.created += 1
        tally.corrections_applied += 1
        if correction.overpaid_amount:
            tally.corrections_overpaid += 1


def with_recorded_corrections(tenant: Tenant, items: Sequence[dict[str, Any]]) -> None:
    """Add the corrections already applied to the amounts of re-received corrected invoices.

    A KSeF invoice always carries its original amount; without this, importing it again after
    its correction would quietly undo the correction.
    """
    deltas = dict(
        InvoiceCorrection.objects.for_tenant(tenant)
        .filter(invoice__external_id__in=[item["external_id"] for item in items])
        .values("invoice__external_id")
        .annotate(total=Sum("gross_delta"))
        .values_list("invoice__external_id", "total")
    )
    if not deltas:
        return
    for item in items:
        delta: Decimal | None = deltas.get(item["external_id"])
        if delta is None or item.get("gross_amount") is None:
            continue
        item["gross_amount"] = max(item["gross_amount"] + delta, Decimal(0))
        if item.get("outstanding_amount"):
            item["outstanding_amount"] = min(
                max(item["outstanding_amount"] + delta, Decimal(0)), item["gross_amount"]
            )


def _corrected_invoice(tenant: Tenant, record: InvoiceRecord) -> tuple[Invoice | None, str]:
    invoices = Invoice.objects.for_tenant(tenant)
    if record.corrects_ksef_number:
        found = invoices.filter(external_id=record.corrects_ksef_number).first()
        if found is not None:
            return found, ""
    candidates = list(invoices.filter(number=record.corrects_number).select_related("payer")[:10])
    if len(candidates) > 1:
        candidates = [
            invoice
            for invoice in candidates
            if invoice.payer.external_id == record.payer_external_id
        ]
    if len(candidates) == 1:
        return candidates[0], ""
    if not candidates:
        return None, (
            f"the corrected invoice {record.corrects_number} is not in the ledger: import it "
            "first, then this correction again"
        )
    return None, (
        f"{len(candidates)} invoices of this buyer have the number {record.corrects_number}; "
        "apply the correction by hand"
    )


def _reject(tally: Tally, line: int, field: str, message: str, record: InvoiceRecord) -> None:
    tally.rejected += 1
    tally.add_error(RowError(line, field, message, record.number))
