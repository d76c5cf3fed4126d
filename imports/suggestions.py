"""Ranked suggestions for a bank credit waiting for review: which invoice or payer it may pay.

`imports.candidates` narrows the tenant's ledger in the database to a few candidates per signal
(numbers the title names, exact amounts, NIP, known account, words of the sender's name); only
those are scored here, so a tenant with 100,000 open invoices costs the same few queries per page
as one with ten. Each suggestion carries its score and the human reasons behind it.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from imports.candidates import (
    LEGAL_FORM_WORDS,
    Facts,
    invoices_by_amount,
    invoices_by_title,
    known_accounts,
    payers_by_party,
    plain,
)
from imports.matching import is_year
from imports.models import BankEntry, KnownAccount
from imports.parsers.titles import number_matches
from invoices.models import Invoice
from invoices.templatetags.money import money
from payers.models import Payer
from tenants.models import Tenant

MIN_SCORE = 15  # below this a candidate is noise, not a suggestion

# Points of each signal; an invoice suggestion adds its payer's points to its own.
TITLE_NAMES_NUMBER = 50
TITLE_HAS_DIGITS = 15
AMOUNT_OUTSTANDING = 30
AMOUNT_GROSS = 15
AMOUNT_SUM_OF_OPEN = 30
ACCOUNT_KNOWN = 35
NIP_EQUAL = 35
NAME_SIMILAR = 20  # times the similarity ratio (0.6–1)
DUE_DATE_NEAR = ((3, 10), (14, 6), (45, 3))  # (within days, points)


@dataclass
class Suggestion:
    """Book the credit to `invoice` (then the payer's oldest), or to `payer` oldest first."""

    payer: Payer
    invoice: Invoice | None = None
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "invoice" if self.invoice is not None else "payer"


@dataclass
class _PayerSignals:
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def suggestions_for(
    *, tenant: Tenant, entries: Iterable[BankEntry], limit: int = 3
) -> dict[int, list[Suggestion]]:
    """The best `limit` suggestions of each entry (a page of the review list), by entry id."""
    entries = list(entries)
    if not entries:
        return {}
    known = known_accounts(KnownAccount.objects.for_tenant(tenant), entries)
    facts = {entry.pk: Facts.of(entry, known) for entry in entries}
    unsettled = (
        Invoice.objects.for_tenant(tenant)
        .filter(status__in=Invoice.UNSETTLED, currency__in={entry.currency for entry in entries})
        .select_related("payer")
    )
    invoices = invoices_by_title(unsettled, facts)
    by_amount = invoices_by_amount(unsettled, entries)
    payers = payers_by_party(Payer.objects.for_tenant(tenant), facts)
    for entry in entries:
        for invoice in by_amount.get((entry.currency, entry.amount), []):
            invoices[entry.pk][invoice.pk] = invoice
        for invoice in invoices[entry.pk].values():
            payers[entry.pk][invoice.payer_id] = invoice.payer
    open_sums = _open_sums(unsettled, {pk for found in payers.values() for pk in found})
    return {
        entry.pk: _ranked(
            entry, facts[entry.pk], invoices[entry.pk], payers[entry.pk], open_sums, limit
        )
        for entry in entries
    }


def suggest(*, tenant: Tenant, entry: BankEntry, limit: int = 3) -> list[Suggestion]:
    return suggestions_for(tenant=tenant, entries=[entry], limit=limit)[entry.pk]


def _ranked(
    entry: BankEntry,
    facts: Facts,
    invoices: dict[int, Invoice],
    payers: dict[int, Payer],
    open_sums: dict[tuple[int, str], tuple[Decimal, int]],
    limit: int,
) -> list[Suggestion]:
    signals = {
        payer.pk: _payer_signals(payer, entry, nip=facts.nip, known_account=facts.known_account)
        for payer in payers.values()
    }
    suggestions = [
        _invoice_suggestion(invoice, entry, facts.candidates, signals[invoice.payer_id])
        for invoice in invoices.values()
        if invoice.currency == entry.currency
    ]
    suggestions += [
        _payer_suggestion(payer, entry, signals[payer.pk], open_sums) for payer in payers.values()
    ]
    ranked = sorted(
        (suggestion for suggestion in suggestions if suggestion.score >= MIN_SCORE),
        key=lambda s: (
            -s.score,
            s.invoice is None,
            s.invoice.due_date if s.invoice else datetime.date.min,
            s.payer.pk,
        ),
    )
    return ranked[:limit]


def _comparable_name(name: str) -> str:
    words = re.findall(r"[^\W_]+", name or "")
    return " ".join(
        plain(word) for word in words if plain(word) and plain(word) not in LEGAL_FORM_WORDS
    )


def _payer_signals(
    payer: Payer, entry: BankEntry, *, nip: str, known_account: KnownAccount | None
) -> _PayerSignals:
    signals = _PayerSignals()
    if known_account is not None and known_account.payer_id == payer.pk:
        signals.score += ACCOUNT_KNOWN
        signals.reasons.append(
            _("account %(account)s was confirmed for %(payer)s before")
            % {"account": known_account.account, "payer": payer.name}
        )
    if nip and payer.nip == nip:
        signals.score += NIP_EQUAL
        signals.reasons.append(_("NIP %(nip)s is %(payer)s's") % {"nip": nip, "payer": payer.name})
    ratio = _name_similarity(entry.counterparty_name, payer.name)
    if ratio >= 0.6:
        signals.score += round(NAME_SIMILAR * ratio)
        signals.reasons.append(
            _("the sender %(sender)s resembles %(payer)s")
            % {"sender": entry.counterparty_name, "payer": payer.name}
        )
    return signals


def _name_similarity(sender: str, payer_name: str) -> float:
    first, second = _comparable_name(sender), _comparable_name(payer_name)
    if not first or not second:
        return 0.0
    return difflib.SequenceMatcher(None, first, second).ratio()


def _invoice_suggestion(
    invoice: Invoice, entry: BankEntry, candidates: list[str], payer: _PayerSignals
) -> Suggestion:
    suggestion = Suggestion(
        payer=invoice.payer, invoice=invoice, score=payer.score, reasons=list(payer.reasons)
    )
    if any(number_matches(candidate, invoice.number) for candidate in candidates):
        suggestion.score += TITLE_NAMES_NUMBER
        suggestion.reasons.insert(0, _("the title names %(number)s") % {"number": invoice.number})
    elif _digits_in_title(invoice.number, entry.title):
        suggestion.score += TITLE_HAS_DIGITS
        suggestion.reasons.insert(
            0, _("the title contains the digits of %(number)s") % {"number": invoice.number}
        )
    if invoice.outstanding_amount == entry.amount:
        suggestion.score += AMOUNT_OUTSTANDING
        suggestion.reasons.append(
            _("the amount equals the outstanding %(amount)s")
            % {"amount": money(invoice.outstanding_amount, invoice.currency)}
        )
    elif invoice.gross_amount == entry.amount:
        suggestion.score += AMOUNT_GROSS
        suggestion.reasons.append(
            _("the amount equals the gross %(amount)s (partly paid already)")
            % {"amount": money(invoice.gross_amount, invoice.currency)}
        )
    days = (entry.booked_on - invoice.due_date).days
    for within, points in DUE_DATE_NEAR:
        if abs(days) <= within:
            suggestion.score += points
            suggestion.reasons.append(_due_date_reason(days, invoice))
            break
    return suggestion


def _digits_in_title(number: str, title: str) -> bool:
    """Every digit group of the number but the year is in the title ('12/10' for FV/2026/10/12)."""
    wanted = {
        group.lstrip("0") or "0" for group in re.findall(r"\d+", number) if not is_year(group)
    }
    present = {group.lstrip("0") or "0" for group in re.findall(r"\d+", title or "")}
    return bool(wanted) and sum(map(len, wanted)) >= 3 and wanted <= present


def _due_date_reason(days: int, invoice: Invoice) -> str:
    values = {"days": abs(days), "due": invoice.due_date.isoformat()}
    if days == 0:
        return _("booked on the due date %(due)s") % values
    if days > 0:
        return _("booked %(days)s day(s) after the due date %(due)s") % values
    return _("booked %(days)s day(s) before the due date %(due)s") % values


def _open_sums(
    unsettled: QuerySet[Invoice], payer_ids: set[int]
) -> dict[tuple[int, str], tuple[Decimal, int]]:
    """(sum outstanding, number of invoices) of each candidate payer's unsettled invoices, by
    (payer id, currency)."""
    if not payer_ids:
        return {}
    rows = (
        unsettled.filter(payer_id__in=payer_ids)
        .order_by()
        .values("payer_id", "currency")
        .annotate(total=Sum("outstanding_amount"), count=Count("id"))
    )
    # SQLite sums decimals as floats: round back to cents.
    return {
        (row["payer_id"], row["currency"]): (
            Decimal(row["total"]).quantize(Decimal("0.01"), ROUND_HALF_UP),
            row["count"],
        )
        for row in rows
    }


def _payer_suggestion(
    payer: Payer,
    entry: BankEntry,
    signals: _PayerSignals,
    open_sums: dict[tuple[int, str], tuple[Decimal, int]],
) -> Suggestion:
    suggestion = Suggestion(payer=payer, score=signals.score, reasons=list(signals.reasons))
    total, count = open_sums.get((payer.pk, entry.currency), (None, 0))
    if count >= 2 and total == entry.amount:
        suggestion.score += AMOUNT_SUM_OF_OPEN
        suggestion.reasons.append(
            _("the amount equals the sum of %(count)s open invoices, %(amount)s")
            % {"count": count, "amount": money(total, entry.currency)}
        )
    return suggestion
