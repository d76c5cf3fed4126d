"""Writes: storing NBP rates, claiming the recovery-cost compensation once per invoice."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dunning import nbp, selectors
from dunning.compensation import (
    CURRENCY,
    CompensationError,
    became_due_on,
    compensation_for,
    nbp_table_day,
)
from dunning.models import CompensationClaim, NbpRate
from invoices.models import Invoice
from payers.models import Payer


def store_nbp_rates(*, quotes: list[nbp.NbpQuote]) -> list[NbpRate]:
    """Insert or update the given rates (a re-run stores the same rows once)."""
    stored = []
    with transaction.atomic():
        for quote in quotes:
            row, _created = NbpRate.objects.update_or_create(
                currency=quote.currency,
                table_date=quote.table_date,
                defaults={"rate": quote.rate, "table_number": quote.table_number},
            )
            stored.append(row)
    return stored


def fetch_nbp_rates(
    *, start: datetime.date, end: datetime.date | None = None, currency: str = "EUR"
) -> list[NbpRate]:
    """Fetch the table-A rates of `currency` published from `start` to `end` and store them.

    Raises `nbp.NbpError` when the API cannot be used; days without a table are simply absent.
    """
    quotes = nbp.fetch_table_a(currency=currency, start=start, end=end)
    return store_nbp_rates(quotes=quotes)


def claim_compensation(
    *, invoice: Invoice, claimed_on: datetime.date, fetch_missing: bool = True
) -> CompensationClaim:
    """The invoice's compensation claim: created the first time, the same row every later time.

    Only for business payers, PLN invoices, and from the day after the payment became due.
    """
    return claim_compensations(
        invoices=[invoice], claimed_on=claimed_on, fetch_missing=fetch_missing
    )[invoice.pk]


def claim_compensations(
    *,
    invoices: Sequence[Invoice],
    claimed_on: datetime.date,
    fetch_missing: bool = True,
    claimable_only: bool = False,
) -> dict[int, CompensationClaim]:
    """The compensation claims of `invoices` (one client's), by invoice id: the stored claim of
    each, and a new one, all in one insert, for the others (`claim_compensation`'s rules).

    An invoice that cannot be claimed on `claimed_on` raises `CompensationError`, or with
    `claimable_only` is left out (a letter lists it without the compensation).
    """
    if not invoices:
        return {}
    tenant = invoices[0].tenant
    claims = selectors.compensation_claims_of(tenant=tenant, invoices=invoices)
    to_claim = []
    for invoice in invoices:
        if invoice.pk in claims:
            continue
        reason = _not_claimable(invoice=invoice, claimed_on=claimed_on)
        if reason is None:
            to_claim.append(invoice)
        elif not claimable_only:
            raise CompensationError(reason, invoice_number=invoice.number)
    if not to_claim:
        return claims
    # The rates may need the network: fetched before the transaction, not inside it.
    table_days = {invoice.pk: nbp_table_day(invoice.due_date) for invoice in to_claim}
    rates = selectors.nbp_rates_on(currency=CURRENCY, days=set(table_days.values()))
    rows = []
    for invoice in to_claim:
        try:
            figure = compensation_for(
                gross_amount=invoice.gross_amount,
                due_date=invoice.due_date,
                fetch_missing=fetch_missing,
                # A rate not stored is looked up (and fetched) once, then read back stored.
                stored_rates=rates if table_days[invoice.pk] in rates else None,
            )
        except CompensationError as error:
            raise CompensationError(str(error), invoice_number=invoice.number) from error
        rows.append(
            CompensationClaim(
                tenant=tenant,
                invoice=invoice,
                eur_amount=figure.eur_amount,
                nbp_rate=figure.nbp_rate,
                nbp_table_date=figure.nbp_table_date,
                nbp_table_number=figure.nbp_table_number,
                pln_amount=figure.pln_amount,
                claimed_on=claimed_on,
            )
        )
    try:
        with transaction.atomic():
            created = CompensationClaim.objects.bulk_create(rows)
    except IntegrityError:
        # Another process claimed some of them meanwhile: its rows are those claims, ours the rest.
        CompensationClaim.objects.bulk_create(rows, ignore_conflicts=True)
        stored = selectors.compensation_claims_of(tenant=tenant, invoices=to_claim)
        return claims | stored
    return claims | {claim.invoice_id: claim for claim in created}


def _not_claimable(*, invoice: Invoice, claimed_on: datetime.date) -> str | None:
    """Why no compensation can be claimed for `invoice` on `claimed_on`, or None."""
    if invoice.payer.kind != Payer.Kind.BUSINESS:
        return _("Compensation is due from business payers only.")
    if invoice.currency != "PLN":
        return _("Compensation thresholds are in PLN; invoice %(number)s is in %(currency)s.") % {
            "number": invoice.number,
            "currency": invoice.currency,
        }
    if claimed_on <= became_due_on(invoice.due_date):
        return _("Compensation is due from the day after the payment became due (%(day)s).") % {
            "day": became_due_on(invoice.due_date)
        }
    return None
