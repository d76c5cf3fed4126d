"""Reads: the rate tables as plain data, interest figures for amounts and invoices, NBP rates."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from dunning.interest import (
    Allocation,
    InterestResult,
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


def invoice_interest(
    *,
    invoice: Invoice,
    until: datetime.date,
    kind: str | None = None,
    allocation: Allocation = Allocation.INTEREST_FIRST,
) -> InterestResult:
    """Interest on an invoice's gross amount up to `until`, its allocated payments reducing the
    base; the kind follows the payer unless given (a public medical entity must be given)."""
    allocations = (
        PaymentAllocation.objects.for_tenant(invoice.tenant)
        .filter(invoice=invoice, payment__paid_on__lte=until)
        .select_related("payment")
        .order_by("payment__paid_on", "id")
    )
    payments = [PartialPayment(row.payment.paid_on, row.amount) for row in allocations]
    return statutory_interest(
        amount=invoice.gross_amount,
        due_date=invoice.due_date,
        until=until,
        kind=kind or default_rate_kind(invoice.payer.kind),
        payments=payments,
        allocation=allocation,
    )


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


def compensation_claim_of(*, invoice: Invoice) -> CompensationClaim | None:
    """The compensation already claimed for `invoice`, if any (it is due once per invoice)."""
    return CompensationClaim.objects.for_tenant(invoice.tenant).filter(invoice=invoice).first()


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
