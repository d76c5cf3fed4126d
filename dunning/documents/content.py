"""What a letter says, as plain data: letterhead, payer, invoices with interest, totals.

Built from the ledger by `letter_content` (reads only, except the compensation claim, which the
service makes first and passes in). Amounts stay `Decimal`; templates format them with `money`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Subquery

from dunning.interest import Allocation, InterestResult
from dunning.models import CompensationClaim, DocumentKind
from dunning.selectors import interest_of_many
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant, User

ZERO = Decimal("0.00")
DEMAND_KINDS = (DocumentKind.DEMAND, DocumentKind.SECOND_DEMAND, DocumentKind.FINAL_DEMAND)
# Money still expected, not disputed: a disputed invoice is not demanded until it is resolved.
DEMANDED_STATUSES = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)

POLISH_MONTHS = (
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia"
).split()
ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def long_date(day: datetime.date, language: str) -> str:
    """`4 grudnia 2026` / `4 December 2026`: the date line of a letter."""
    months = POLISH_MONTHS if language == "pl" else ENGLISH_MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def grouped_iban(iban: str) -> str:
    """`PL61 1090 1014 0000 0712 1981 2874`: the account as printed on Polish letters."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    postal_code: str
    city: str
    nip: str


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    issue_date: datetime.date
    due_date: datetime.date
    currency: str
    gross_amount: Decimal
    outstanding: Decimal
    interest: Decimal
    interest_result: InterestResult
    # Interest notes (DOMAIN.md §1, "show both figures"): the interest accrued when partial
    # payments count towards interest first (art. 451 KC), when it differs.
    interest_if_interest_first: Decimal | None = None
    paid_on: datetime.date | None = None
    compensation: CompensationClaim | None = None

    @property
    def days_late(self) -> int:
        return self.interest_result.days_late

    @property
    def rates(self) -> list[Decimal]:
        seen: list[Decimal] = []
        for line in self.interest_result.lines:
            if line.rate not in seen:
                seen.append(line.rate)
        return seen


@dataclass(frozen=True)
class Total:
    currency: str
    outstanding: Decimal
    interest: Decimal
    compensation: Decimal

    @property
    def total(self) -> Decimal:
        return self.outstanding + self.interest + self.compensation


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class LetterContent:
    kind: str
    language: str
    day: datetime.date
    date_line: str
    reference: str
    creditor: Party
    payer: Party
    payer_is_business: bool
    iban: str
    lines: tuple[InvoiceLine, ...]
    payment_days: int
    deadline: datetime.date
    deadline_line: str
    transfer_title: str
    contact: Contact
    operator_name: str
    stamp_svg: str | None = None
    stamp_size_mm: tuple[float, float] | None = None
    rates_verified: bool = True
    year_days: int = 365  # the interest divisor (settings.INTEREST_YEAR_DAYS)
    totals: tuple[Total, ...] = field(default=())

    @property
    def is_interest_note(self) -> bool:
        return self.kind == DocumentKind.INTEREST_NOTE

    @property
    def has_compensation(self) -> bool:
        return any(line.compensation is not None for line in self.lines)

    @property
    def shows_interest_first(self) -> bool:
        return any(line.interest_if_interest_first is not None for line in self.lines)

    @property
    def main_total(self) -> Total | None:
        """The total in PLN (or the only currency): what the document row records."""
        for total in self.totals:
            if total.currency == "PLN":
                return total
        return self.totals[0] if self.totals else None


def party_of(owner: Tenant | Payer) -> Party:
    return Party(owner.name, owner.street, owner.postal_code, owner.city, owner.nip)


def demanded_invoices(
    *, payer: Payer, day: datetime.date, invoice_ids: list[int] | None = None
) -> list[Invoice]:
    """The payer's invoices a demand of `day` lists: overdue and unpaid (those named, if given)."""
    invoices = Invoice.objects.for_tenant(payer.tenant).filter(
        payer=payer, status__in=DEMANDED_STATUSES, due_date__lt=day, outstanding_amount__gt=0
    )
    if invoice_ids is not None:
        invoices = invoices.filter(pk__in=invoice_ids)
    return _with_payer(invoices.order_by("due_date", "id"), payer)


def _with_payer(invoices, payer: Payer) -> list[Invoice]:
    """The rows with their payer and tenant set from the ones in hand: no query per invoice."""
    rows = list(invoices)
    for invoice in rows:
        invoice.payer, invoice.tenant = payer, payer.tenant
    return rows


def late_paid_invoices(
    *,
    payer: Payer,
    day: datetime.date,
    invoice_ids: list[int] | None = None,
    already_noted: set[int] = frozenset(),
) -> list[Invoice]:
    """Invoices paid in full after their due date by `day`, not yet on an interest note."""
    invoices = Invoice.objects.for_tenant(payer.tenant).filter(
        payer=payer, status=Invoice.Status.PAID, paid_on__isnull=False, paid_on__lte=day
    )
    if invoice_ids is not None:
        invoices = invoices.filter(pk__in=invoice_ids)
    rows = _with_payer(invoices.order_by("due_date", "id"), payer)
    return [row for row in rows if row.paid_on > row.due_date and row.pk not in already_noted]


def invoice_lines(
    *,
    kind: str,
    invoices: list[Invoice],
    day: datetime.date,
    compensation: dict[int, CompensationClaim],
) -> list[InvoiceLine]:
    if not invoices:
        return []
    note = kind == DocumentKind.INTEREST_NOTE
    # The ledger and the rate table are read once for the letter, not once per invoice.
    interest = interest_of_many(
        tenant=invoices[0].tenant,
        invoices=invoices,
        payments_until=max(invoice.paid_on for invoice in invoices) if note else day,
    )

    lines = []
    for invoice in invoices:
        if note:
            # The payments paid the invoice (the payer designated it): the interest accrued on
            # the principal until it was paid is what the note claims. With partial payments,
            # counting them towards interest first (art. 451 KC) accrues a different sum: shown.
            result = interest(invoice, invoice.paid_on, Allocation.PRINCIPAL_FIRST)
            interest_due = result.interest_outstanding
            other = interest(invoice, invoice.paid_on, Allocation.INTEREST_FIRST).total_interest
            if interest_due <= 0:
                continue  # paid late only by art. 115's move: nothing accrued
            lines.append(
                InvoiceLine(
                    number=invoice.number,
                    issue_date=invoice.issue_date,
                    due_date=invoice.due_date,
                    currency=invoice.currency,
                    gross_amount=invoice.gross_amount,
                    outstanding=ZERO,
                    interest=interest_due,
                    interest_result=result,
                    interest_if_interest_first=other if other != interest_due else None,
                    paid_on=invoice.paid_on,
                    compensation=compensation.get(invoice.pk),
                )
            )
        else:
            # Payments settle the principal, as the ledger books them: the outstanding column
            # and the interest then describe the same debt (art. 451 KC: the payer designated
            # the invoice). Interest notes show the interest-first figure as well.
            result = interest(invoice, day, Allocation.PRINCIPAL_FIRST)
            lines.append(
                InvoiceLine(
                    number=invoice.number,
                    issue_date=invoice.issue_date,
                    due_date=invoice.due_date,
                    currency=invoice.currency,
                    gross_amount=invoice.gross_amount,
                    outstanding=invoice.outstanding_amount,
                    interest=max(result.interest_outstanding, ZERO),
                    interest_result=result,
                    compensation=compensation.get(invoice.pk),
                )
            )
    return lines


def totals_of(lines: list[InvoiceLine]) -> tuple[Total, ...]:
    """One total per currency; compensation is always PLN (converted at the NBP rate)."""
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    for line in lines:
        sums[line.currency][0] += line.outstanding
        sums[line.currency][1] += line.interest
        if line.compensation is not None:
            sums["PLN"][2] += line.compensation.pln_amount
    order = sorted(sums, key=lambda currency: (currency != "PLN", currency))
    return tuple(Total(currency, *sums[currency]) for currency in order)


def transfer_title(lines: list[InvoiceLine], kind: str) -> str:
    numbers = ", ".join(line.number for line in lines)
    prefix = "Odsetki" if kind == DocumentKind.INTEREST_NOTE else ""
    title = f"{prefix} {numbers}".strip()
    # Polish transfer titles hold 140 characters.
    return title if len(title) <= 140 else title[:137] + "..."


def consultant_contact(tenant: Tenant) -> Contact:
    """The consultant of the client's team (its first member), else the operator's desk."""
    first_team = tenant.teams.order_by("name").values("pk")[:1]
    member = (
        User.objects.filter(teams=Subquery(first_team), is_active=True)
        .order_by("last_name", "id")
        .first()
    )
    phone = settings.DOCUMENTS_CONTACT_PHONE
    if member is None:
        return Contact("", phone, settings.DOCUMENTS_CONTACT_EMAIL)
    return Contact(member.get_full_name() or member.email, phone, member.email)
