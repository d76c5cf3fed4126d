"""Candidates for the bank credits of one review page, narrowed in the database.

A handful of queries for the whole page, whatever its size or the ledger's: invoices containing
a fragment of a number a title names, invoices owing (or of a gross of) exactly an amount, payers
by NIP or known account, payers whose name holds a telling word of the sender's. Each keyed query
returns at most PER_SIGNAL rows per key (a window function), so a common amount or word cannot
crowd out the others; rows are then attributed in Python to every entry that asked for them.
`imports.suggestions` scores what comes back.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.db.models import Case, CharField, F, Model, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber

from imports.matching import number_fragments, telling_group
from imports.models import BankEntry, KnownAccount, normalize_account
from imports.parsers.titles import analyse_title, number_matches
from invoices.models import Invoice
from payers.models import Payer

PER_SIGNAL = 30  # rows the database returns for each number fragment, amount or name word

# Words of company names that say nothing about which company it is.
LEGAL_FORM_WORDS = frozenset(
    {"SP", "SPOLKA", "Z", "O", "OO", "ZOO", "SA", "SC", "SK", "SKA", "SJ", "SPJ", "PPHU", "PHU",
     "FHU", "PW", "SPZOO", "GMBH", "LTD", "INC", "AKCYJNA", "KOMANDYTOWA", "JAWNA", "CYWILNA"}
)  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What an entry says about whose it is, read once."""

    candidates: list[str]  # invoice numbers the title names
    nip: str
    known_account: KnownAccount | None  # confirmed for one payer (shared ones are left out)
    name_words: list[str]  # telling words of the sender's name, upper case
    # Without candidates, the title's telling digit group: a number written without its series
    # and keyword ("zapłata 47").
    title_group: str = ""

    @classmethod
    def of(cls, entry: BankEntry, known: dict[str, KnownAccount]) -> Facts:
        analysis = analyse_title(entry.title)
        group = "" if analysis.invoice_numbers else telling_group(entry.title)
        return cls(
            candidates=analysis.invoice_numbers[:5],
            nip=entry.counterparty_nip or analysis.nip,
            known_account=known.get(normalize_account(entry.counterparty_account)),
            name_words=[word.upper() for word in name_words(entry.counterparty_name)[:2]],
            title_group=group if len(group) >= 2 else "",
        )


def known_accounts(
    tenant_accounts: QuerySet[KnownAccount], entries: list[BankEntry]
) -> dict[str, KnownAccount]:
    """The unshared known accounts the entries come from, by normalised account."""
    accounts = {normalize_account(entry.counterparty_account) for entry in entries} - {""}
    rows = tenant_accounts.filter(account__in=accounts, shared=False).select_related("payer")
    return {row.account: row for row in rows}


def invoices_by_title(
    unsettled: QuerySet[Invoice], facts: dict[int, Facts]
) -> dict[int, dict[int, Invoice]]:
    """Each entry's invoices containing a fragment of a number its title names: first the most
    selective fragment, then, for a number not found that way, its telling digit group."""
    found: dict[int, dict[int, Invoice]] = {pk: {} for pk in facts}
    wanted = {
        (pk, candidate): number_fragments(candidate)
        for pk, fact in facts.items()
        for candidate in fact.candidates
    }
    wanted.update({(pk, ""): [fact.title_group] for pk, fact in facts.items() if fact.title_group})
    for round_ in (0, 1):
        asked = {key: parts[round_].upper() for key, parts in wanted.items() if len(parts) > round_}
        conditions = {fragment: Q(number__icontains=fragment) for fragment in asked.values()}
        rows = first_of_each(unsettled, conditions, ["due_date", "id"])
        for (pk, candidate), fragment in asked.items():
            hits = [invoice for invoice in rows if fragment in invoice.number.upper()]
            found[pk].update((invoice.pk, invoice) for invoice in hits)
            if any(number_matches(candidate, invoice.number) for invoice in hits):
                wanted.pop((pk, candidate))
    return found


def invoices_by_amount(
    unsettled: QuerySet[Invoice], entries: list[BankEntry]
) -> dict[tuple[str, Decimal], list[Invoice]]:
    """Invoices owing exactly an entry's amount, or of exactly that gross, by (currency, amount)."""
    conditions = {}
    for currency, amount in {(entry.currency, entry.amount) for entry in entries}:
        conditions[f"o {currency} {amount}"] = Q(currency=currency, outstanding_amount=amount)
        conditions[f"g {currency} {amount}"] = Q(currency=currency, gross_amount=amount)
    found: dict[tuple[str, Decimal], list[Invoice]] = {}
    for invoice in first_of_each(unsettled, conditions, ["due_date", "id"]):
        for amount in {invoice.outstanding_amount, invoice.gross_amount}:
            found.setdefault((invoice.currency, amount), []).append(invoice)
    return found


def payers_by_party(
    tenant_payers: QuerySet[Payer], facts: dict[int, Facts]
) -> dict[int, dict[int, Payer]]:
    """Each entry's payers with its NIP or known account, or a telling word of its sender."""
    found: dict[int, dict[int, Payer]] = {pk: {} for pk in facts}
    nips = {fact.nip for fact in facts.values() if fact.nip}
    known_ids = {fact.known_account.payer_id for fact in facts.values() if fact.known_account}
    if nips or known_ids:
        direct = tenant_payers.filter(Q(nip__in=nips) | Q(pk__in=known_ids)).order_by("id")
        for payer in direct[: PER_SIGNAL * len(facts)]:
            for pk, fact in facts.items():
                known = fact.known_account
                if (fact.nip and payer.nip == fact.nip) or (known and known.payer_id == payer.pk):
                    found[pk][payer.pk] = payer
    words = {word for fact in facts.values() for word in fact.name_words}
    conditions = {word: Q(name__icontains=word) for word in words}
    for payer in first_of_each(tenant_payers, conditions, ["id"]):
        name = payer.name.upper()
        for pk, fact in facts.items():
            if any(word in name for word in fact.name_words):
                found[pk][payer.pk] = payer
    return found


def first_of_each(queryset: QuerySet, conditions: dict[str, Q], order: list[str]) -> list[Model]:
    """The first PER_SIGNAL rows (in `order`) meeting each keyed condition, in one query.

    A row meeting several conditions is counted under the first; callers attribute rows to
    what they asked for by looking at the rows themselves.
    """
    if not conditions:
        return []
    key = Case(
        *(When(condition, then=Value(name)) for name, condition in conditions.items()),
        default=Value(""),
        output_field=CharField(),
    )
    rank = Window(
        RowNumber(), partition_by=[F("signal_key")], order_by=[F(field) for field in order]
    )
    return list(
        queryset.filter(reduce(operator.or_, conditions.values()))
        .annotate(signal_key=key)
        .annotate(rank=rank)
        .filter(rank__lte=PER_SIGNAL)
    )


def name_words(name: str) -> list[str]:
    """The telling words of a name, longest first, as written."""
    words = re.findall(r"[^\W\d_]{4,}", name or "")
    return sorted(
        (word for word in words if plain(word) not in LEGAL_FORM_WORDS), key=len, reverse=True
    )


def plain(text: str) -> str:
    """Upper case, without Polish diacritics, letters and digits only ('Spółka' -> 'SPOLKA')."""
    decomposed = unicodedata.normalize("NFKD", (text or "").upper().replace("Ł", "L"))
    return "".join(ch for ch in decomposed if ch.isalnum())
