"""Reads behind the ledger API: list filters and lookups by external id, always tenant-scoped.

They would sit in `invoices.selectors`; they live beside the API while only the API uses them.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db.models import Prefetch, QuerySet

from invoices.models import Invoice, Payment, PaymentAllocation
from payers.models import Payer
from tenants.models import Tenant


def api_invoices(*, tenant: Tenant) -> QuerySet[Invoice]:
    return Invoice.objects.for_tenant(tenant).select_related("payer")


def invoices_matching(
    invoices: QuerySet[Invoice],
    *,
    status: Collection[str] = (),
    due_from: datetime.date | None = None,
    due_to: datetime.date | None = None,
    updated_since: datetime.datetime | None = None,
    external_id: str = "",
    payer_external_id: str = "",
) -> QuerySet[Invoice]:
    if status:
        invoices = invoices.filter(status__in=status)
    if due_from:
        invoices = invoices.filter(due_date__gte=due_from)
    if due_to:
        invoices = invoices.filter(due_date__lte=due_to)
    if updated_since:
        invoices = invoices.filter(updated_at__gte=updated_since)
    if external_id:
        invoices = invoices.filter(external_id=external_id)
    if payer_external_id:
        invoices = invoices.filter(payer__external_id=payer_external_id)
    return invoices


def api_payments(*, tenant: Tenant) -> QuerySet[Payment]:
    """Payments with what they settled, in three queries per page whatever its size."""
    allocations = PaymentAllocation.objects.for_tenant(tenant).select_related("invoice")
    return (
        Payment.objects.for_tenant(tenant)
        .select_related("payer", "invoice")
        .prefetch_related(Prefetch("allocations", allocations.order_by("id")))
    )


def payments_matching(
    payments: QuerySet[Payment],
    *,
    external_id: str = "",
    payer_external_id: str = "",
    paid_from: datetime.date | None = None,
    paid_to: datetime.date | None = None,
) -> QuerySet[Payment]:
    if external_id:
        payments = payments.filter(external_id=external_id)
    if payer_external_id:
        payments = payments.filter(payer__external_id=payer_external_id)
    if paid_from:
        payments = payments.filter(paid_on__gte=paid_from)
    if paid_to:
        payments = payments.filter(paid_on__lte=paid_to)
    return payments


def payer_of(*, tenant: Tenant, external_id: str) -> Payer | None:
    return Payer.objects.for_tenant(tenant).filter(external_id=external_id).first()


def invoice_of(*, tenant: Tenant, external_id: str) -> Invoice | None:
    return Invoice.objects.for_tenant(tenant).filter(external_id=external_id).first()


def booked_payment(*, tenant: Tenant, external_id: str) -> Payment | None:
    """The payment already booked under `external_id` (an ERP retrying), if any."""
    if not external_id:
        return None
    return Payment.objects.for_tenant(tenant).filter(external_id=external_id).first()
