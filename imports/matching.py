"""Which invoice or payer a bank credit belongs to: by invoice number in the title, then by the
payer's NIP, id or an account the client confirmed before, and then by the amount.
Ambiguity is never guessed: such an entry waits for the client's review."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from imports.models import BankEntry, KnownAccount, normalize_account
from imports.parsers.base import PaymentRecord
from imports.parsers.titles import number_matches
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant

CANDIDATE_LIMIT = 200

Reason = BankEntry.MatchReason


@dataclass(frozen=True)
class Match:
    payer: Payer
    invoice: Invoice | None
    reason: str  # a BankEntry.MatchReason


def match_payment(*, tenant: Tenant, record: PaymentRecord) -> Match | None:
    """Invoices named in the title, all of one payer, win; else exactly one payer by NIP, id or
    known account, paying the one invoice of exactly that amount (or oldest first)."""
    named = invoices_named(
        tenant=tenant, invoice_numbers=record.invoice_numbers, currency=record.currency
    )
    if named and len({invoice.payer_id for invoice in named}) == 1:
        return Match(named[0].payer, named[0], Reason.TITLE)
    payer, reason = _payer_of(tenant, record)
    if payer is None:
        return None
    invoice = invoice_of_amount(
        tenant=tenant, payer=payer, amount=record.amount, currency=record.currency
    )
    return Match(payer, invoice, reason)


def _payer_of(tenant: Tenant, record: PaymentRecord) -> tuple[Payer | None, str]:
    payers = Payer.objects.for_tenant(tenant)
    if record.counterparty_nip:
        found = list(payers.filter(nip=record.counterparty_nip)[:2])
        if len(found) == 1:
            return found[0], Reason.NIP
    if record.payer_external_id:
        payer = payers.filter(external_id=record.payer_external_id).first()
        if payer is not None:
            return payer, Reason.PAYER_ID
    payer = payer_of_account(tenant=tenant, account=record.counterparty_account)
    if payer is not None:
        return payer, Reason.ACCOUNT
    return None, ""


def payer_of_account(*, tenant: Tenant, account: str) -> Payer | None:
    """The payer the client confirmed this account for, unless it is shared by several."""
    account = normalize_account(account)
    if not account:
        return None
    known = (
        KnownAccount.objects.for_tenant(tenant)
        .filter(account=account, shared=False)
        .select_related("payer")
        .first()
    )
    return known.payer if known else None


def invoice_of_amount(
    *, tenant: Tenant, payer: Payer, amount: Decimal, currency: str
) -> Invoice | None:
    """The payer's one unsettled invoice owing exactly `amount`; None when none or several (the
    payment then settles the oldest first)."""
    found = list(
        Invoice.objects.for_tenant(tenant)
        .filter(
            payer=payer,
            currency=currency,
            status__in=Invoice.UNSETTLED,
            outstanding_amount=amount,
        )
        .order_by("due_date", "id")[:2]
    )
    return found[0] if len(found) == 1 else None


def invoices_named(*, tenant: Tenant, invoice_numbers: list[str], currency: str) -> list[Invoice]:
    """Unsettled invoices whose number the title names ('FV 12/2026' finds 'FV/12/2026').

    The database narrows by a fragment of each candidate (`number_fragments`); the forgiving
    comparison runs on those few rows only.
    """
    found: dict[int, Invoice] = {}
    unsettled = (
        Invoice.objects.for_tenant(tenant)
        .filter(status__in=Invoice.UNSETTLED, currency=currency)
        .select_related("payer")
        .order_by("due_date", "id")
    )
    for candidate in invoice_numbers:
        for fragment in number_fragments(candidate):
            rows = unsettled.filter(number__icontains=fragment)[:CANDIDATE_LIMIT]
            named = [invoice for invoice in rows if number_matches(candidate, invoice.number)]
            found.update((invoice.pk, invoice) for invoice in named)
            if named:
                break
    return sorted(found.values(), key=lambda invoice: (invoice.due_date, invoice.pk))


def number_fragments(candidate: str) -> list[str]:
    """What an invoice number the candidate names must contain, most selective first: the part
    from the first digit on ('2026/10/0012' of 'FV/2026/10/0012'), then its most telling digit
    group ('0012', written another way: 'FV-2026-10-0012')."""
    fragments = []
    tail = re.search(r"\d.*", candidate or "")
    if tail and re.search(r"\D", tail.group()):
        fragments.append(tail.group())
    group = telling_group(candidate)
    if group:
        fragments.append(group)
    return fragments


def telling_group(text: str) -> str:
    """The longest digit group that is not a year ('0012' of 'FV/2026/10/0012')."""
    groups = re.findall(r"\d+", text or "")
    if not groups:
        return ""
    return max(groups, key=lambda group: (not is_year(group), len(group)))


def is_year(group: str) -> bool:
    return len(group) == 4 and group[:2] in ("19", "20")
