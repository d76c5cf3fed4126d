"""Reads from the ledger: invoice lists, aging buckets, DSO."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from invoices.models import ZERO, Invoice
from payers.models import Payer
from payers.selectors import payers_of
from tenants.models import Tenant
from tenants.selectors import tenant_today


@dataclass(frozen=True)
class AgingBucket:
    key: str
    label: str
    count: int
    amount: Decimal
    currency: str


# (key, label, first day overdue, last day overdue); None = open-ended.
AGING_BUCKETS: tuple[tuple[str, str, int | None, int | None], ...] = (
    ("not_due", _("Not yet due"), None, 0),
    ("overdue_1_30", _("1–30 days"), 1, 30),
    ("overdue_31_60", _("31–60 days"), 31, 60),
    ("overdue_61_90", _("61–90 days"), 61, 90),
    ("overdue_90_plus", _("Over 90 days"), 91, None),
)


def _cents(amount: Decimal) -> Decimal:
    """SQLite sums decimals as floats; round the aggregate back to cents."""
    return Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)


def invoices_of(
    *,
    tenant: Tenant,
    status: str | None = None,
    search: str = "",
    payer_id: int | None = None,
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.for_tenant(tenant).select_related("payer")
    if status:
        invoices = invoices.filter(status=status)
    if payer_id:
        invoices = invoices.filter(payer_id=payer_id)
    if search:
        invoices = invoices.filter(
            Q(number__icontains=search) | Q(payer__name__icontains=search) | Q(payer__nip=search)
        )
    return invoices


def invoices_needing_attention_first(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Invoices with money still owed first, longest overdue at the top; then the settled ones."""
    settled = Case(
        When(status__in=Invoice.UNSETTLED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return invoices.alias(settled=settled).order_by("settled", "due_date", "id")


def unsettled_invoices(*, tenant: Tenant, currency: str | None = None) -> QuerySet[Invoice]:
    """Invoices on which money is still owed."""
    invoices = Invoice.objects.for_tenant(tenant).filter(
        status__in=Invoice.UNSETTLED, outstanding_amount__gt=0
    )
    return invoices.filter(currency=currency) if currency else invoices


def aging_buckets(
    *, tenant: Tenant, today: datetime.date | None = None, currency: str = "PLN"
) -> list[AgingBucket]:
    """Outstanding amounts by days past due, in one aggregate query."""
    today = today or tenant_today(tenant)
    aggregates = {}
    for key, _label, first_day, last_day in AGING_BUCKETS:
        condition = Q()
        if first_day is not None:  # due at least `first_day` days ago
            condition &= Q(due_date__lte=today - datetime.timedelta(days=first_day))
        if last_day is not None:  # due at most `last_day` days ago
            condition &= Q(due_date__gte=today - datetime.timedelta(days=last_day))
        aggregates[f"{key}_count"] = Count("id", filter=condition)
        aggregates[f"{key}_amount"] = Coalesce(
            Sum("outstanding_amount", filter=condition),
            Value(ZERO),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )
    row = unsettled_invoices(tenant=tenant, currency=currency).aggregate(**aggregates)
    return [
        AgingBucket(key, str(label), row[f"{key}_count"], _cents(row[f"{key}_amount"]), currency)
        for key, label, _first, _last in AGING_BUCKETS
    ]


def days_sales_outstanding(
    *,
    tenant: Tenant,
    today: datetime.date | None = None,
    period_days: int = 90,
    currency: str = "PLN",
) -> Decimal | None:
    """DSO = receivables outstanding / sales invoiced in the period × days in the period.

    None when nothing was invoiced in the period (the ratio has no meaning then).
    """
    today = today or tenant_today(tenant)
    since = today - datetime.timedelta(days=period_days)
    invoiced = (
        Invoice.objects.for_tenant(tenant)
        .filter(currency=currency, issue_date__gt=since, issue_date__lte=today)
        .exclude(status=Invoice.Status.CANCELLED)
        .aggregate(total=Sum("gross_amount"))["total"]
    )
    if not invoiced:
        return None
    outstanding = (
        unsettled_invoices(tenant=tenant, currency=currency).aggregate(
            total=Sum("outstanding_amount")
        )["total"]
        or ZERO
    )
    return (_cents(outstanding) / _cents(invoiced) * period_days).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


def payers_with_balances(*, tenant: Tenant, search: str = "") -> QuerySet[Payer]:
    """The client's payers with their count of unsettled invoices and the amount still owed."""
    unsettled = Q(invoices__status__in=Invoice.UNSETTLED)
    return payers_of(tenant=tenant, search=search).annotate(
        open_invoices=Count("invoices", filter=unsettled),
        owed=Coalesce(
            Sum("invoices__outstanding_amount", filter=unsettled),
            Value(ZERO),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        ),
    )
