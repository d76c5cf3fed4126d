"""Which invoice or payer a bank credit belongs to: by invoice number in the title, then by the
payer's NIP or id. Ambiguity is never guessed: such an entry waits for the client's review."""

from __future__ import annotations

import re
from dataclasses import dataclass

from imports.parsers.base import PaymentRecord
from imports.parsers.titles import number_matches
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant

CANDIDATE_LIMIT = 200


@dataclass(frozen=True)
class Match:
    payer: Payer
    invoice: Invoice | None
    reason: str


def match_payment(*, tenant: Tenant, record: PaymentRecord) -> Match | None:
    """Invoices named in the title, all of one payer, win; else exactly one payer by NIP or id."""
    named = _invoices_named(tenant, record)
    if named and len({invoice.payer_id for invoice in named}) == 1:
        return Match(named[0].payer, named[0], "invoice number in the title")
    if record.counterparty_nip:
        payers = list(Payer.objects.for_tenant(tenant).filter(nip=record.counterparty_nip)[:2])
        if len(payers) == 1:
            return Match(payers[0], None, "payer's NIP")
    if record.payer_external_id:
        payer = (
            Payer.objects.for_tenant(tenant).filter(external_id=record.payer_external_id).first()
        )
        if payer is not None:
            return Match(payer, None, "payer's id")
    return None


def _invoices_named(tenant: Tenant, record: PaymentRecord) -> list[Invoice]:
    """Unsettled invoices whose number the title names ('FV 12/2026' finds 'FV/12/2026').

    The database narrows by the longest digit group of each candidate; the forgiving comparison
    runs on those few rows only.
    """
    found: dict[int, Invoice] = {}
    unsettled = (
        Invoice.objects.for_tenant(tenant)
        .filter(status__in=Invoice.UNSETTLED, currency=record.currency)
        .select_related("payer")
        .order_by("due_date", "id")
    )
    for candidate in record.invoice_numbers:
        digit_groups = re.findall(r"\d+", candidate)
        if not digit_groups:
            continue
        longest = max(digit_groups, key=len)
        for invoice in unsettled.filter(number__contains=longest)[:CANDIDATE_LIMIT]:
            if number_matches(candidate, invoice.number):
                found[invoice.pk] = invoice
    return sorted(found.values(), key=lambda invoice: (invoice.due_date, invoice.pk))
