"""Reads: the rate tables as plain data, interest figures for amounts and invoices, NBP rates."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from dunning.interest import (
    Allocation,
    InterestResult,
    MissingRate,
    PartialPayment,
    RatePeriod,
    compute_interest,
)
from dunning.models import CompensationClaim, InterestRate, Message, NbpRate, RateKind
from invoices.models import Invoice, PaymentAllocation
from payers.models import Payer
from tenants.models import Tenant


def default_rate_kind(payer_kind: str) -> RateKind:
    """Business payer → commercial-transactions rate; consumer → civil rate (art. 481 KC)."""
    return RateKind.CIVIL if payer_kind == Payer.Kind.CONSUMER else RateKind.COMMERCIAL


def rate_periods(*, kind: str) -> list[RatePeriod]:
    rows = InterestRate.objects.filter(kind=kind).order_by("valid_from")
    return [RatePeriod(row.valid_from, row.valid_to, row.rate, row.verified) for row in rows]


def rate_tables(*, kinds: set[str]) -> dict[str, list[RatePeriod]]:
    """The rate tables of `kinds` (empty where a kind has no rate), in one query: for many
    invoices at once."""
    tables: dict[str, list[RatePeriod]] = {kind: [] for kind in kinds}
    rows = (
        InterestRate.objects.filter(kind__in=kinds)
        .order_by("kind", "valid_from")
        .values_list("kind", "valid_from", "valid_to", "rate", "verified")
    )
    for kind, *period in rows:
        tables[kind].append(RatePeriod(*period))
    return tables


def statutory_interest(
    *,
    amount: Decimal,
    due_date: datetime.date,
    until: datetime.date,
    kind: str,
    payments: Sequence[PartialPayment] = (),
    allocation: Allocation = Allocation.INTEREST_FIRST,
) -> InterestResult:
    """Interest on `amount` from the rate table of `kind` (see `dunning.interest`)."""
    return compute_interest(
        amount=amount,
        due_date=due_date,
        until=until,
        rates=rate_periods(kind=kind),
        payments=payments,
        allocation=allocation,
        year_days=settings.INTEREST_YEAR_DAYS,
        kind=kind,
    )


def allocated_payments(
    *, tenant: Tenant, invoices: Sequence[Invoice], until: datetime.date
) -> dict[int, list[PartialPayment]]:
    """The payments allocated to each of `invoices` (one client's) up to `until`, oldest first:
    one query for them all."""
    payments: dict[int, list[PartialPayment]] = defaultdict(list)
    allocations = (
        PaymentAllocation.objects.for_tenant(tenant)
        .filter(invoice__in=[invoice.pk for invoice in invoices], payment__paid_on__lte=until)
        .select_related("payment")
        .order_by("payment__paid_on", "id")
    )
    for row in allocations:
        payments[row.invoice_id].append(PartialPayment(row.payment.paid_on, row.amount))
    return payments


def invoice_interest(
    *,
    invoice: Invoice,
    until: datetime.date,
    kind: str | None = None,
    allocation: Allocation = Allocation.INTEREST_FIRST,
    payments: Sequence[PartialPayment] | None = None,
    rates: Sequence[RatePeriod] | None = None,
) -> InterestResult:
    """Interest on an invoice's gross amount up to `until`, its allocated payments reducing the
    base; the kind follows the payer unless given (a public medical entity must be given).

    `payments` (from `allocated_payments`, those after `until` are left out here) and `rates` (the
    table of the kind) are read when not given: a letter reads them once for all its invoices.
    """
    kind = kind or default_rate_kind(invoice.payer.kind)
    if payments is None:
        payments = allocated_payments(tenant=invoice.tenant, invoices=[invoice], until=until)[
            invoice.pk
        ]
    return compute_interest(
        amount=invoice.gross_amount,
        due_date=invoice.due_date,
        until=until,
        rates=rate_periods(kind=kind) if rates is None else rates,
        payments=[payment for payment in payments if payment.paid_on <= until],
        allocation=allocation,
        year_days=settings.INTEREST_YEAR_DAYS,
        kind=kind,
    )


def interest_of_many(
    *, tenant, invoices: Sequence[Invoice], payments_until: datetime.date
) -> Callable[[Invoice, datetime.date, Allocation], InterestResult]:
    """`interest(invoice, until, allocation)` for invoices of one client, computed from the rate
    tables and the payments allocated up to `payments_until`, both read once here (a letter or
    a payer card lists dozens of invoices: one query each, not one per invoice)."""
    payments = allocated_payments(tenant=tenant, invoices=invoices, until=payments_until)
    kinds = {invoice.pk: default_rate_kind(invoice.payer.kind) for invoice in invoices}
    tables = rate_tables(kinds=set(kinds.values()))

    def interest(invoice: Invoice, until: datetime.date, allocation: Allocation) -> InterestResult:
        return invoice_interest(
            invoice=invoice,
            until=until,
            kind=kinds[invoice.pk],
            allocation=allocation,
            payments=payments[invoice.pk],
            rates=tables[kinds[invoice.pk]],
        )

    return interest


def invoices_interest(
    *,
    tenant,
    invoices: Sequence[Invoice],
    until: datetime.date,
    allocation: Allocation = Allocation.INTEREST_FIRST,
) -> dict[int, InterestResult | None]:
    """`invoice_interest` for many invoices of one client: None where the rate table does not
    reach back to an invoice's due date."""
    interest = interest_of_many(tenant=tenant, invoices=invoices, payments_until=until)
    results: dict[int, InterestResult | None] = {}
    for invoice in invoices:
        try:
            results[invoice.pk] = interest(invoice, until, allocation)
        except MissingRate:
            results[invoice.pk] = None
    return results


def nbp_rate_on(*, currency: str, day: datetime.date) -> NbpRate | None:
    return NbpRate.objects.filter(currency=currency, table_date=day).first()


def latest_nbp_rate(
    *, currency: str, on_or_before: datetime.date, not_before: datetime.date
) -> NbpRate | None:
    return (
        NbpRate.objects.filter(
            currency=currency, table_date__lte=on_or_before, table_date__gte=not_before
        )
        .order_by("-table_date")
        .first()
    )


def nbp_rates_on(*, currency: str, days: set[datetime.date]) -> dict[datetime.date, NbpRate]:
    """The stored rates of `currency` published on `days`, by day (days without one left out)."""
    if not days:
        return {}
    rows = NbpRate.objects.filter(currency=currency, table_date__in=days)
    return {row.table_date: row for row in rows}


def compensation_claim_of(*, invoice: Invoice) -> CompensationClaim | None:
    """The compensation already claimed for `invoice`, if any (it is due once per invoice)."""
    return compensation_claims_of(tenant=invoice.tenant, invoices=[invoice]).get(invoice.pk)


def compensation_claims_of(
    *, tenant: Tenant, invoices: Sequence[Invoice]
) -> dict[int, CompensationClaim]:
    """The compensation already claimed for each of `invoices` (one client's), by invoice id."""
    claims = CompensationClaim.objects.for_tenant(tenant).filter(invoice__in=invoices)
    return {claim.invoice_id: claim for claim in claims}


def messages_of(*, tenant: Tenant, payer: Payer, limit: int = 30) -> QuerySet[Message]:
    """The payer's latest messages and calls, both directions, newest first."""
    return (
        Message.objects.for_tenant(tenant)
        .filter(payer=payer)
        .order_by("-created_at", "-id")[:limit]
    )


def messages_sent_since(
    *, tenant: Tenant, payer_id: int, channel: str, since: datetime.datetime
) -> int:
    """How many messages of `channel` went (or are going) to the payer since `since`; messages
    that never left (canceled, failed) do not count against the contact limits."""
    return (
        Message.objects.for_tenant(tenant)
        .filter(payer_id=payer_id, channel=channel, direction="outbound", created_at__gte=since)
        .exclude(status__in=[Message.Status.CANCELED, Message.Status.FAILED])
        .count()
    )


def task_message_exists(*, tenant: Tenant, contact_task_id: int, channel: str) -> bool:
    return (
        Message.objects.for_tenant(tenant)
        .filter(contact_task_id=contact_task_id, channel=channel, direction="outbound")
        .exists()
    )


def task_messages(*, tenant: Tenant) -> QuerySet[Message]:
    """Outbound messages sent (or going) for the contact schedule's tasks, whatever became of
    them: the contact was attempted."""
    return Message.objects.for_tenant(tenant).filter(
        contact_task_id__isnull=False, direction="outbound"
    )
