"""Writes to the ledger: invoices, payments and their allocation, aging snapshots."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from invoices.documents import validate_invoice_pdf
from invoices.models import (
    ZERO,
    AgingSnapshot,
    Invoice,
    InvoiceCorrection,
    Payment,
    PaymentAllocation,
    Source,
)
from invoices.selectors import aging_buckets, days_sales_outstanding
from invoices.signals import invoice_handed_over
from payers.models import Payer
from payers.services import create_payer
from tenants.models import Tenant
from tenants.selectors import tenant_today


def settled_status(invoice: Invoice) -> str:
    """The status an invoice has after its outstanding amount changed.

    Cancelled stays cancelled; nothing left to pay is paid; a dispute or an escalation stays while
    money is owed; otherwise partly or not yet paid.
    """
    if invoice.status == Invoice.Status.CANCELLED:
        return invoice.status
    if invoice.outstanding_amount == ZERO:
        return Invoice.Status.PAID
    if invoice.status in (Invoice.Status.DISPUTED, Invoice.Status.ESCALATED):
        return invoice.status
    if invoice.outstanding_amount < invoice.gross_amount:
        return Invoice.Status.PARTIALLY_PAID
    return Invoice.Status.OPEN


@transaction.atomic
def create_invoice(
    *,
    tenant: Tenant,
    payer: Payer,
    external_id: str,
    number: str,
    issue_date: datetime.date,
    due_date: datetime.date,
    gross_amount: Decimal,
    outstanding_amount: Decimal | None = None,
    currency: str = "PLN",
    monitoring_mode: str = Invoice.MonitoringMode.PROGRAM,
    source: str = Source.MANUAL,
    kind: str = Invoice.Kind.INVOICE,
    contract_number: str = "",
    instalment_number: int | None = None,
    paid_on: datetime.date | None = None,
) -> Invoice:
    """Hand over one invoice. Raises ValidationError with a message per field.

    An invoice handed over already paid keeps `paid_on` as given (unknown stays empty).
    """
    invoice = Invoice(
        tenant=tenant,
        payer=payer,
        external_id=external_id,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        gross_amount=gross_amount,
        outstanding_amount=gross_amount if outstanding_amount is None else outstanding_amount,
        currency=currency.upper(),
        monitoring_mode=monitoring_mode,
        source=source,
        kind=kind,
        contract_number=contract_number,
        instalment_number=instalment_number,
        paid_on=paid_on,
    )
    invoice.full_clean()
    invoice.status = settled_status(invoice)
    invoice.save()
    return invoice


@transaction.atomic
def record_payment(
    *,
    tenant: Tenant,
    payer: Payer,
    amount: Decimal,
    paid_on: datetime.date,
    currency: str = "PLN",
    invoice: Invoice | None = None,
    reference: str = "",
    external_id: str = "",
    source: str = Source.MANUAL,
) -> Payment:
    """Book a payment and settle the payer's invoices with it.

    The invoice the payer named is settled first, then the payer's other unsettled invoices in the
    same currency, oldest due date first. What is left stays on the payment as unallocated.
    A payment whose `external_id` was booked before is returned as it is, never booked twice.
    """
    if payer.tenant_id != tenant.id:
        raise ValidationError({"payer": _("The payer belongs to another client.")})
    if invoice is not None and (invoice.tenant_id != tenant.id or invoice.payer_id != payer.id):
        raise ValidationError({"invoice": _("The invoice is not this payer's.")})
    if external_id:
        existing = Payment.objects.for_tenant(tenant).filter(external_id=external_id).first()
        if existing is not None:
            return existing
    payment = Payment(
        tenant=tenant,
        payer=payer,
        invoice=invoice,
        amount=amount,
        currency=currency.upper(),
        paid_on=paid_on,
        reference=reference,
        external_id=external_id,
        source=source,
    )
    payment.full_clean()
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        # A concurrent call booked the same external id between our check and our insert.
        if not external_id:
            raise
        return Payment.objects.for_tenant(tenant).get(external_id=external_id)
    _allocate(payment)
    return payment


def _allocate(payment: Payment) -> None:
    candidates = (
        Invoice.objects.for_tenant(payment.tenant)
        .select_for_update()
        .filter(
            payer=payment.payer,
            currency=payment.currency,
            status__in=Invoice.UNSETTLED,
            outstanding_amount__gt=0,
        )
        .order_by("due_date", "id")
    )
    ordered = sorted(candidates, key=lambda inv: inv.id != payment.invoice_id)
    remaining = payment.amount
    allocations = []
    for invoice in ordered:
        if remaining <= ZERO:
            break
        share = min(remaining, invoice.outstanding_amount)
        remaining -= share
        invoice.outstanding_amount -= share
        invoice.status = settled_status(invoice)
        if invoice.status == Invoice.Status.PAID:
            invoice.paid_on = payment.paid_on
        invoice.save(update_fields=["outstanding_amount", "status", "paid_on", "updated_at"])
        allocations.append(
            PaymentAllocation(tenant=payment.tenant, payment=payment, invoice=invoice, amount=share)
        )
    PaymentAllocation.objects.bulk_create(allocations)


@transaction.atomic
def correct_invoice(
    *,
    tenant: Tenant,
    invoice: Invoice,
    external_id: str,
    number: str,
    issue_date: datetime.date,
    gross_delta: Decimal,
    source: str = Source.MANUAL,
) -> tuple[InvoiceCorrection, bool]:
    """Apply a correcting invoice to the invoice it corrects; returns (correction, applied now).

    The gross and the outstanding amount change by `gross_delta` (negative reduces them). A
    reduction beyond what is still owed leaves nothing owed and records the payer's overpayment;
    a correction to zero cancels the invoice. A correction already applied (same id) is returned
    as it is; the same id with another invoice or amount is refused.
    """
    if invoice.tenant_id != tenant.id:
        raise ValidationError({"invoice": _("The invoice belongs to another client.")})
    existing = InvoiceCorrection.objects.for_tenant(tenant).filter(external_id=external_id).first()
    if existing is not None:
        if existing.invoice_id != invoice.id or existing.gross_delta != gross_delta:
            raise ValidationError(
                {
                    "external_id": _(
                        "The correction %(id)s was already applied to invoice %(number)s with "
                        "%(delta)s; it cannot be applied again differently."
                    )
                    % {
                        "id": external_id,
                        "number": existing.invoice.number,
                        "delta": existing.gross_delta,
                    }
                }
            )
        return existing, False
    invoice = Invoice.objects.for_tenant(tenant).select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.CANCELLED:
        raise ValidationError(
            {"invoice": _("Invoice %(number)s is cancelled.") % {"number": invoice.number}}
        )
    new_gross = invoice.gross_amount + gross_delta
    if new_gross < ZERO:
        raise ValidationError(
            {
                "gross_amount": _(
                    "The correction reduces invoice %(number)s by %(delta)s, more than its gross "
                    "amount %(gross)s."
                )
                % {"number": invoice.number, "delta": -gross_delta, "gross": invoice.gross_amount}
            }
        )
    still_owed = invoice.outstanding_amount + gross_delta
    correction = InvoiceCorrection(
        tenant=tenant,
        invoice=invoice,
        external_id=external_id,
        number=number,
        issue_date=issue_date,
        gross_delta=gross_delta,
        overpaid_amount=max(-still_owed, ZERO),
        source=source,
    )
    correction.full_clean(exclude=["invoice"])
    correction.save()
    invoice.gross_amount = new_gross
    invoice.outstanding_amount = max(still_owed, ZERO)
    if new_gross == ZERO:
        invoice.status = Invoice.Status.CANCELLED
    else:
        invoice.status = settled_status(invoice)
        if invoice.status == Invoice.Status.PAID:
            invoice.paid_on = invoice.paid_on or issue_date
        else:
            invoice.paid_on = None
    invoice.save(
        update_fields=["gross_amount", "outstanding_amount", "status", "paid_on", "updated_at"]
    )
    return correction, True


@transaction.atomic
def snapshot_aging(
    *, tenant: Tenant, on: datetime.date | None = None, currency: str = "PLN"
) -> AgingSnapshot:
    """Store today's aging of one client (rerunning the same day replaces the figures)."""
    on = on or tenant_today(tenant)
    buckets = {
        bucket.key: bucket for bucket in aging_buckets(tenant=tenant, today=on, currency=currency)
    }
    snapshot, _created = AgingSnapshot.objects.update_or_create(
        tenant=tenant,
        on=on,
        currency=currency,
        defaults={
            "not_due": buckets["not_due"].amount,
            "overdue_1_30": buckets["overdue_1_30"].amount,
            "overdue_31_60": buckets["overdue_31_60"].amount,
            "overdue_61_90": buckets["overdue_61_90"].amount,
            "overdue_90_plus": buckets["overdue_90_plus"].amount,
            "open_invoices": sum(bucket.count for bucket in buckets.values()),
            "dso_days": days_sales_outstanding(tenant=tenant, today=on, currency=currency),
        },
    )
    return snapshot


@transaction.atomic
def cancel_invoices(*, tenant: Tenant, invoice_ids: list[int], reason: str) -> list[Invoice]:
    """Cancel a client's invoices on which money is still expected; returns those cancelled.

    Paid and already cancelled invoices are left as they are, as are other clients' ids. Payments
    already allocated stay allocated. Invoice has no field for the reason yet: the caller records
    it (the admin writes it to each invoice's history).
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the invoices are cancelled.")})
    invoices = list(
        Invoice.objects.for_tenant(tenant)
        .select_for_update()
        .filter(id__in=invoice_ids, status__in=Invoice.UNSETTLED)
        .order_by("id")
    )
    for invoice in invoices:
        invoice.status = Invoice.Status.CANCELLED
        invoice.save(update_fields=["status", "updated_at"])
    return invoices


@transaction.atomic
def hand_over_invoice(
    *,
    tenant: Tenant,
    number: str,
    issue_date: datetime.date,
    due_date: datetime.date,
    gross_amount: Decimal,
    payer: Payer | None = None,
    payer_data: Mapping[str, Any] | None = None,
    external_id: str = "",
    outstanding_amount: Decimal | None = None,
    currency: str = "PLN",
    express: bool = True,
    document: UploadedFile | None = None,
) -> Invoice:
    """Hand over one invoice, by default for express monitoring (monitoring ekspresowy).

    The payer is either `payer` (one of the tenant's) or a new one described by `payer_data`
    (the arguments of `payers.services.create_payer`); errors about a new payer are keyed
    `payer_<field>`. The external id defaults to the number. `document` is the invoice's PDF.
    All or nothing is saved; `invoice_handed_over` announces it (the schedule starts at once).
    """
    if (payer is None) == (payer_data is None):
        raise ValidationError(
            {"payer": _("Choose one of your payers or describe a new one, not both.")}
        )
    if document is not None:
        try:
            validate_invoice_pdf(document)
        except ValidationError as error:
            raise ValidationError({"document": error.messages}) from error
    external_id = (external_id or number or "").strip()
    if Invoice.objects.for_tenant(tenant).filter(external_id=external_id).exists():
        raise ValidationError(
            {
                "external_id": _("An invoice with id %(id)s was already handed over.")
                % {"id": external_id}
            }
        )
    if payer_data is not None:
        try:
            payer = create_payer(tenant=tenant, **payer_data)
        except ValidationError as error:
            raise ValidationError(_payer_errors(error)) from error
    invoice = create_invoice(
        tenant=tenant,
        payer=payer,
        external_id=external_id,
        number=(number or "").strip(),
        issue_date=issue_date,
        due_date=due_date,
        gross_amount=gross_amount,
        outstanding_amount=outstanding_amount,
        currency=currency,
        monitoring_mode=(
            Invoice.MonitoringMode.SINGLE if express else Invoice.MonitoringMode.PROGRAM
        ),
        source=Source.MANUAL,
    )
    if document is not None:
        invoice.document.save(f"{invoice.pk}.pdf", document, save=False)
        invoice.save(update_fields=["document"])
    announce_handover(invoice=invoice)
    return invoice


def announce_handover(*, invoice: Invoice) -> None:
    """Tell the apps above the ledger that the client handed this invoice over."""
    invoice_handed_over.send(
        sender=__name__,
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.pk,
        payer_id=invoice.payer_id,
        express=invoice.monitoring_mode == Invoice.MonitoringMode.SINGLE,
    )


def _payer_errors(error: ValidationError) -> dict[str, list[str]]:
    """The new payer's errors keyed `payer_<field>`, apart from the invoice's own fields."""
    if not hasattr(error, "error_dict"):
        return {"payer": error.messages}
    return {
        "payer" if field == NON_FIELD_ERRORS else f"payer_{field}": messages
        for field, messages in error.message_dict.items()
    }
