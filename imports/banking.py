"""Bank credits: each kept once as a BankEntry, matched to the ledger or left for review."""

from __future__ import annotations

from typing import TYPE_CHECKING

from imports.matching import match_payment
from imports.models import BankEntry, ImportBatch
from imports.parsers.base import PaymentRecord
from invoices.models import Source
from invoices.services import record_payment

if TYPE_CHECKING:
    from imports.processing import Tally


def book_bank_entries(
    batch: ImportBatch, payments: list[tuple[int, PaymentRecord]], tally: Tally
) -> None:
    """Each bank credit once: known references are unchanged; new ones are matched or kept."""
    known = set(
        BankEntry.objects.for_tenant(batch.tenant)
        .filter(external_id__in=[record.external_id for _line, record in payments])
        .values_list("external_id", flat=True)
    )
    for _line, record in payments:
        if record.external_id in known:
            tally.unchanged += 1
            continue
        known.add(record.external_id)
        entry = BankEntry.objects.create(
            tenant=batch.tenant,
            batch=batch,
            external_id=record.external_id,
            amount=record.amount,
            currency=record.currency,
            booked_on=record.paid_on,
            title=record.title[:500],
            counterparty_name=record.counterparty_name[:300],
            counterparty_account=record.counterparty_account[:40],
            counterparty_nip=record.counterparty_nip[:10],
        )
        match = match_payment(tenant=batch.tenant, record=record)
        if match is None:
            tally.unmatched_payments += 1
        else:
            entry.payment = record_payment(
                tenant=batch.tenant,
                payer=match.payer,
                invoice=match.invoice,
                amount=record.amount,
                currency=record.currency,
                paid_on=record.paid_on,
                reference=record.title[:300],
                external_id=f"bank:{record.external_id}"[:120],
                source=Source.BANK,
            )
            entry.state = BankEntry.State.MATCHED
            entry.save(update_fields=["payment", "state"])
            tally.matched_payments += 1
        tally.created += 1
