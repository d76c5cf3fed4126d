"""Statutory interest for late payment, computed from a rate table (DOMAIN.md §1).

Pure: no database, no clock. `selectors.statutory_interest` and `selectors.invoice_interest` load
the rate table and call `compute_interest`; documents and the `interest` command use those.

The rules, each from DOMAIN.md §1:
- interest runs from the day after the due date up to and including the day of payment;
- a due date on a Saturday, Sunday or public holiday first moves to the next working day
  (art. 115 KC);
- the period is split at every rate change; each part is `base × rate × days / 365` (365 also in
  leap years; the divisor is the setting INTEREST_YEAR_DAYS);
- the parts are summed and the total rounded to 0.01 half-up, once, at the end;
- a partial payment reduces the base from the day after it is booked;
- a payment goes first to the interest already due, then to the principal (art. 451 § 1 KC), unless
  the payer designated the principal and the creditor accepts that (`Allocation.PRINCIPAL_FIRST`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from dunning.business_days import deadline_moved_by_art_115

DAY = datetime.timedelta(days=1)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class InterestError(ValueError):
    """The input cannot produce an interest figure; the message says what to fix."""


class MissingRate(InterestError):
    """No rate of the table covers a day of the period."""


class Allocation(StrEnum):
    # art. 451 § 1 KC: the creditor may count a payment towards interest due before the principal.
    INTEREST_FIRST = "interest_first"
    # The payer designated the principal and the creditor accepted it.
    PRINCIPAL_FIRST = "principal_first"


@dataclass(frozen=True)
class RatePeriod:
    """One row of the rate table: an annual rate in percent from `valid_from` to `valid_to`.

    `valid_to=None` means until the next row starts (or indefinitely for the last row).
    """

    valid_from: datetime.date
    valid_to: datetime.date | None
    rate: Decimal
    verified: bool = True


@dataclass(frozen=True)
class PartialPayment:
    paid_on: datetime.date
    amount: Decimal


@dataclass(frozen=True)
class InterestLine:
    """Interest on one base at one rate over consecutive days (both ends included)."""

    date_from: datetime.date
    date_to: datetime.date
    days: int
    rate: Decimal
    base: Decimal
    exact_interest: Decimal
    rate_verified: bool = True

    @property
    def interest(self) -> Decimal:
        """Rounded for display; the total is rounded from the exact parts, not from these."""
        return to_cents(self.exact_interest)


@dataclass(frozen=True)
class AppliedPayment:
    """How a partial payment was counted: towards interest due, the principal, or neither."""

    paid_on: datetime.date
    amount: Decimal
    to_interest: Decimal
    to_principal: Decimal
    overpaid: Decimal


@dataclass(frozen=True)
class InterestResult:
    amount: Decimal
    due_date: datetime.date
    # The due date after the art. 115 KC move; interest runs from the day after it.
    deadline: datetime.date
    until: datetime.date
    year_days: int
    allocation: Allocation
    lines: tuple[InterestLine, ...]
    payments: tuple[AppliedPayment, ...] = field(default=())
    kind: str = ""

    @property
    def interest_from(self) -> datetime.date:
        return self.deadline + DAY

    @property
    def total_interest(self) -> Decimal:
        """All interest accrued, rounded half-up to 0.01 once."""
        return to_cents(sum((line.exact_interest for line in self.lines), ZERO))

    @property
    def interest_paid(self) -> Decimal:
        return sum((payment.to_interest for payment in self.payments), ZERO)

    @property
    def interest_outstanding(self) -> Decimal:
        return self.total_interest - self.interest_paid

    @property
    def principal_paid(self) -> Decimal:
        return sum((payment.to_principal for payment in self.payments), ZERO)

    @property
    def principal_outstanding(self) -> Decimal:
        return self.amount - self.principal_paid

    @property
    def days_late(self) -> int:
        return max((self.until - self.deadline).days, 0)

    @property
    def rates_verified(self) -> bool:
        """False when a line used a rate flagged unverified in the table: say so on documents."""
        return all(line.rate_verified for line in self.lines)


def compute_interest(
    *,
    amount: Decimal,
    due_date: datetime.date,
    until: datetime.date,
    rates: Sequence[RatePeriod],
    payments: Sequence[PartialPayment] = (),
    allocation: Allocation = Allocation.INTEREST_FIRST,
    year_days: int = 365,
    kind: str = "",
) -> InterestResult:
    """Interest on `amount` due on `due_date`, up to and including `until` (the payment day or
    the day it is computed for), with the partial `payments` made in between."""
    _check_input(amount=amount, until=until, payments=payments, year_days=year_days)
    table = _RateTable(rates, kind=kind)
    deadline = deadline_moved_by_art_115(due_date)
    lines: list[InterestLine] = []
    applied: list[AppliedPayment] = []
    principal = amount
    accrued = ZERO  # exact, unrounded
    interest_paid = ZERO
    cursor = deadline + DAY
    for payment in sorted(payments, key=lambda payment: payment.paid_on):
        if payment.paid_on >= cursor:
            # Up to and including the payment day on the old base; the new base from the next day.
            new_lines = table.split(principal, cursor, payment.paid_on, year_days)
            lines += new_lines
            accrued += sum((line.exact_interest for line in new_lines), ZERO)
            cursor = payment.paid_on + DAY
        interest_due = to_cents(accrued) - interest_paid
        to_interest = (
            min(payment.amount, interest_due) if allocation == Allocation.INTEREST_FIRST else ZERO
        )
        to_principal = min(payment.amount - to_interest, principal)
        overpaid = payment.amount - to_interest - to_principal
        if allocation == Allocation.PRINCIPAL_FIRST and overpaid and interest_due > 0:
            # Whatever exceeds the principal still settles interest due.
            extra = min(overpaid, interest_due)
            to_interest, overpaid = extra, overpaid - extra
        interest_paid += to_interest
        principal -= to_principal
        applied.append(
            AppliedPayment(payment.paid_on, payment.amount, to_interest, to_principal, overpaid)
        )
    if cursor <= until:
        lines += table.split(principal, cursor, until, year_days)
    return InterestResult(
        amount=amount,
        due_date=due_date,
        deadline=deadline,
        until=until,
        year_days=year_days,
        allocation=allocation,
        lines=tuple(lines),
        payments=tuple(applied),
        kind=kind,
    )


def _check_input(
    *,
    amount: Decimal,
    until: datetime.date,
    payments: Sequence[PartialPayment],
    year_days: int,
) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InterestError(f"amount: {amount!r} is not a Decimal amount.")
    if amount <= 0:
        raise InterestError(f"amount: {amount} must be greater than zero.")
    if year_days <= 0:
        raise InterestError(f"year_days: {year_days} must be a positive number of days.")
    for payment in payments:
        if not isinstance(payment.amount, Decimal) or not payment.amount.is_finite():
            raise InterestError(
                f"payment on {payment.paid_on}: {payment.amount!r} is not a Decimal."
            )
        if payment.amount <= 0:
            raise InterestError(f"payment on {payment.paid_on}: the amount must be above zero.")
        if payment.paid_on > until:
            raise InterestError(
                f"payment on {payment.paid_on}: after the end of the period ({until})."
            )


class _RateTable:
    """The rate rows of one kind, each closed at the latest the day before the next one starts."""

    def __init__(self, rates: Sequence[RatePeriod], *, kind: str) -> None:
        self.kind = kind
        ordered = sorted(rates, key=lambda period: period.valid_from)
        self.periods: list[tuple[datetime.date, datetime.date, RatePeriod]] = []
        for index, period in enumerate(ordered):
            end = period.valid_to or datetime.date.max
            if index + 1 < len(ordered):
                end = min(end, ordered[index + 1].valid_from - DAY)
            self.periods.append((period.valid_from, end, period))

    def split(
        self, base: Decimal, start: datetime.date, end: datetime.date, year_days: int
    ) -> list[InterestLine]:
        """Lines for `base` from `start` to `end` inclusive, one per rate period crossed."""
        lines = []
        day = start
        while base > 0 and day <= end:
            period_end, period = self._covering(day)
            last = min(end, period_end)
            days = (last - day).days + 1
            exact = base * period.rate / HUNDRED * days / year_days
            lines.append(InterestLine(day, last, days, period.rate, base, exact, period.verified))
            day = last + DAY
        return lines

    def _covering(self, day: datetime.date) -> tuple[datetime.date, RatePeriod]:
        for start, end, period in self.periods:
            if start <= day <= end:
                return end, period
        kind = f"{self.kind} " if self.kind else ""
        raise MissingRate(
            f"No {kind}interest rate covers {day.isoformat()}: add it to the statutory "
            "interest rates in admin."
        )
