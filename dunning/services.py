"""Writes: storing NBP rates, claiming the recovery-cost compensation once per invoice."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dunning import nbp, selectors
from dunning.compensation import CompensationError, became_due_on, compensation_for
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
    existing = selectors.compensation_claim_of(invoice=invoice)
    if existing is not None:
        return existing
    if invoice.payer.kind != Payer.Kind.BUSINESS:
        raise CompensationError(_("Compensation is due from business payers only."))
    if invoice.currency != "PLN":
        raise CompensationError(
            _("Compensation thresholds are in PLN; invoice %(number)s is in %(currency)s.")
            % {"number": invoice.number, "currency": invoice.currency}
        )
    if claimed_on <= became_due_on(invoice.due_date):
        raise CompensationError(
            _("Compensation is due from the day after the payment became due (%(day)s).")
            % {"day": became_due_on(invoice.due_date)}
        )
    # The rate may need the network: fetched before the transaction, not inside it.
    figure = compensation_for(
        gross_amount=invoice.gross_amount, due_date=invoice.due_date, fetch_missing=fetch_missing
    )
    try:
        with transaction.atomic():
            return CompensationClaim.objects.create(
                tenant=invoice.tenant,
                invoice=invoice,
                eur_amount=figure.eur_amount,
                nbp_rate=figure.nbp_rate,
                nbp_table_date=figure.nbp_table_date,
                nbp_table_number=figure.nbp_table_number,
                pln_amount=figure.pln_amount,
                claimed_on=claimed_on,
            )
    except IntegrityError:
        # Another process claimed it meanwhile: its row is the claim.
        return CompensationClaim.objects.for_tenant(invoice.tenant).get(invoice=invoice)
