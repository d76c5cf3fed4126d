"""Compensation for recovery costs (rekompensata za koszty odzyskiwania należności), DOMAIN.md §2.

Art. 10 of the act of 8 March 2013 on counteracting excessive delays in commercial transactions:
business payers only; 40 / 70 / 100 EUR by the invoice's gross amount, converted at the NBP table-A
average EUR rate of the last business day of the month before the month in which the payment
became due. The rules are pure functions; `compensation_for` adds the rate lookup (and, when
allowed, fetches a missing rate from the NBP API).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dunning.business_days import deadline_moved_by_art_115, last_business_day_of_month
from dunning.interest import to_cents

if TYPE_CHECKING:
    from dunning.models import NbpRate

CURRENCY = "EUR"
# Up to 5,000 PLN → 40 EUR; over 5,000 and below 50,000 → 70 EUR; 50,000 or more → 100 EUR.
SMALL_CLAIM_LIMIT = Decimal("5000.00")
LARGE_CLAIM_FROM = Decimal("50000.00")
# NBP never goes a week without a table; a wider look-back would pick a stale rate.
TABLE_LOOKBACK = datetime.timedelta(days=7)


class CompensationError(ValueError):
    """Compensation cannot be computed; the message says why and what to do, and
    `invoice_number` which invoice when several were claimed at once."""

    def __init__(self, message: str, *, invoice_number: str = "") -> None:
        super().__init__(message)
        self.invoice_number = invoice_number


@dataclass(frozen=True)
class Compensation:
    eur_amount: Decimal
    nbp_rate: Decimal
    nbp_table_date: datetime.date
    nbp_table_number: str
    pln_amount: Decimal


def compensation_eur(gross_amount: Decimal) -> Decimal:
    """40, 70 or 100 EUR for an invoice of `gross_amount` PLN (art. 10 ust. 1)."""
    if gross_amount <= SMALL_CLAIM_LIMIT:
        return Decimal("40.00")
    if gross_amount < LARGE_CLAIM_FROM:
        return Decimal("70.00")
    return Decimal("100.00")


def became_due_on(due_date: datetime.date) -> datetime.date:
    """The day the payment became due: the due date, moved off a day off by art. 115 KC.

    Interest and compensation are owed from the day after it, so both use the same move.
    """
    return deadline_moved_by_art_115(due_date)


def nbp_table_day(due_date: datetime.date) -> datetime.date:
    """The last business day of the month before the month in which the payment became due.

    If NBP published no table that day, the last table published before it applies (DOMAIN.md
    says nothing of that case; NBP publishes on every business day in practice).
    """
    due = became_due_on(due_date)
    year, month = (due.year, due.month - 1) if due.month > 1 else (due.year - 1, 12)
    return last_business_day_of_month(year, month)


def convert(
    *, eur_amount: Decimal, rate: Decimal, table_date: datetime.date, table_number: str
) -> Compensation:
    """`eur_amount` in PLN at `rate`, rounded half-up to 0.01."""
    return Compensation(
        eur_amount=eur_amount,
        nbp_rate=rate,
        nbp_table_date=table_date,
        nbp_table_number=table_number,
        pln_amount=to_cents(eur_amount * rate),
    )


def compensation_for(
    *,
    gross_amount: Decimal,
    due_date: datetime.date,
    fetch_missing: bool = True,
    stored_rates: Mapping[datetime.date, NbpRate] | None = None,
) -> Compensation:
    """The compensation for an invoice of `gross_amount` PLN due on `due_date`.

    The NBP rate comes from the database (or `stored_rates`, the EUR rates by table day already
    read for several invoices at once); with `fetch_missing`, a rate not stored yet is fetched
    from the NBP API (the week up to the table day, so a day without a table falls back to the
    previous one) and stored. Raises `CompensationError` when no rate can be found.
    """
    from dunning import selectors, services
    from dunning.nbp import NbpError

    if gross_amount <= 0:
        raise CompensationError(f"amount: {gross_amount} must be greater than zero.")
    table_day = nbp_table_day(due_date)
    if stored_rates is None:
        stored = selectors.nbp_rate_on(currency=CURRENCY, day=table_day)
    else:
        stored = stored_rates.get(table_day)
    if stored is None and fetch_missing:
        try:
            services.fetch_nbp_rates(
                currency=CURRENCY, start=table_day - TABLE_LOOKBACK, end=table_day
            )
        except NbpError as error:
            raise CompensationError(
                f"The NBP EUR rate of {table_day} is not stored and could not be fetched: {error}"
            ) from error
        stored = selectors.latest_nbp_rate(
            currency=CURRENCY, on_or_before=table_day, not_before=table_day - TABLE_LOOKBACK
        )
        if stored is None:
            raise CompensationError(
                f"NBP published no EUR table from {table_day - TABLE_LOOKBACK} to {table_day}."
            )
    if stored is None:
        raise CompensationError(
            f"No NBP EUR rate of {table_day} is stored: run "
            f"`manage.py fetch_nbp_rates --from {table_day - TABLE_LOOKBACK} --to {table_day}`."
        )
    return convert(
        eur_amount=compensation_eur(gross_amount),
        rate=stored.rate,
        table_date=stored.table_date,
        table_number=stored.table_number,
    )
