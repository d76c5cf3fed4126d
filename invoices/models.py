from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from payers.models import Payer
from tenants.scoping import TenantOwnedModel

ZERO = Decimal("0.00")


def money_field(verbose_name: str, **kwargs) -> models.DecimalField:
    """Amounts are Decimal(14, 2); the currency lives in a field beside them."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def currency_field() -> models.CharField:
    return models.CharField(_("currency"), max_length=3, default="PLN")


class Source(models.TextChoices):
    """Where a ledger row came from."""

    MANUAL = "manual", _("Entered by hand")
    API = "api", _("REST API")
    FILE = "file", _("File import")
    KSEF = "ksef", _("KSeF e-invoice")
    BANK = "bank", _("Bank statement")
    DEMO = "demo", _("Demo data")


def invoice_document_path(invoice: Invoice, filename: str) -> str:
    """Per client, under a random name: the client's file name is never trusted as a path."""
    return f"invoices/{invoice.tenant_id}/{uuid.uuid4().hex}.pdf"


class Invoice(TenantOwnedModel):
    """A receivable handed over for monitoring: an invoice, or one instalment of a contract."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        DISPUTED = "disputed", _("Disputed")
        ESCALATED = "escalated", _("Escalated to collection")
        CANCELLED = "cancelled", _("Cancelled")

    class MonitoringMode(models.TextChoices):
        PROGRAM = "program", _("Monitoring programme")
        SINGLE = "single", _("Single invoice (express)")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        INSTALMENT = "instalment", _("Instalment")

    # Statuses in which money is still expected.
    UNSETTLED = (Status.OPEN, Status.PARTIALLY_PAID, Status.DISPUTED, Status.ESCALATED)

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="invoices")
    external_id = models.CharField(
        _("client's id"), max_length=100, help_text=_("The document's id in the client's ERP.")
    )
    number = models.CharField(_("number"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.INVOICE)
    contract_number = models.CharField(
        _("contract number"), max_length=100, blank=True, help_text=_("Loans and leases.")
    )
    instalment_number = models.PositiveSmallIntegerField(_("instalment"), null=True, blank=True)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    currency = currency_field()
    gross_amount = money_field(_("gross amount"))
    outstanding_amount = money_field(_("outstanding"))
    status = models.CharField(_("status"), max_length=15, choices=Status, default=Status.OPEN)
    monitoring_mode = models.CharField(
        _("monitoring"), max_length=10, choices=MonitoringMode, default=MonitoringMode.PROGRAM
    )
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MANUAL)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    # Of the last imported item and the values it produced (`payers.bulk.digest`): a re-import of
    # the same item onto the same values skips validation. Any other write changes the values.
    import_digest = models.CharField(max_length=32, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The invoice's PDF the client attached when handing it over (express monitoring).
    document = models.FileField(
        _("invoice PDF"), upload_to=invoice_document_path, blank=True, max_length=200
    )

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="invoice_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(gross_amount__gte=0), name="invoice_gross_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(outstanding_amount__gte=0), name="invoice_outstanding_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(outstanding_amount__lte=F("gross_amount")),
                name="invoice_outstanding_within_gross",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_not_before_issue"
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="invoice_currency_iso"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "due_date"]),
            models.Index(fields=["tenant", "number"]),
            # Express invoices are few; the contact planner finds them by hand-over day.
            models.Index(
                fields=["tenant", "created_at"],
                condition=Q(monitoring_mode="single"),
                name="invoice_express_by_handover",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        errors = {}
        if self.gross_amount is not None and self.gross_amount < 0:
            errors["gross_amount"] = _("The gross amount cannot be negative.")
        if self.outstanding_amount is not None and self.outstanding_amount < 0:
            errors["outstanding_amount"] = _("The outstanding amount cannot be negative.")
        elif (
            self.gross_amount is not None
            and self.outstanding_amount is not None
            and self.outstanding_amount > self.gross_amount
        ):
            errors["outstanding_amount"] = _(
                "The outstanding amount (%(outstanding)s) cannot exceed "
                "the gross amount (%(gross)s)."
            ) % {"outstanding": self.outstanding_amount, "gross": self.gross_amount}
        if self.issue_date and self.due_date and self.due_date < self.issue_date:
            errors["due_date"] = _(
                "The due date (%(due)s) cannot be before the issue date (%(issue)s)."
            ) % {"due": self.due_date, "issue": self.issue_date}
        if self.payer_id and self.tenant_id and self.payer.tenant_id != self.tenant_id:
            errors["payer"] = _("The payer belongs to another client.")
        if errors:
            raise ValidationError(errors)

    @property
    def paid_amount(self) -> Decimal:
        return self.gross_amount - self.outstanding_amount


class Payment(TenantOwnedModel):
    """Money received from a payer; allocated to its invoices by `record_payment`."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="named_payments",
        help_text=_("The invoice the payer named in the transfer title, if any."),
    )
    amount = money_field(_("amount"))
    currency = currency_field()
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference / transfer title"), max_length=300, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=120,
        blank=True,
        help_text=_("The client's or the bank's id; a payment is never booked twice."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="payment_unique_external_id",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} ({self.paid_on})"

    def clean(self) -> None:
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("A payment amount must be greater than zero.")})


class PaymentAllocation(TenantOwnedModel):
    """The part of a payment that settled one invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(_("amount"))

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]


class InvoiceCorrection(TenantOwnedModel):
    """A correcting invoice (faktura korygująca) applied to the invoice it corrects.

    Kept once per correcting document, so a correction received again is recognised and never
    applied twice, and re-importing the corrected original does not undo it.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="corrections")
    external_id = models.CharField(
        _("correction's id"),
        max_length=100,
        help_text=_("The correcting document's KSeF number or number."),
    )
    number = models.CharField(_("number"), max_length=100)
    issue_date = models.DateField(_("issue date"))
    gross_delta = money_field(
        _("change of the gross amount"), help_text=_("Negative when the correction reduces it.")
    )
    overpaid_amount = money_field(
        _("overpaid"),
        default=ZERO,
        help_text=_("What the payer had already paid beyond the corrected amount."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice correction")
        verbose_name_plural = _("invoice corrections")
        ordering = ["issue_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="invoice_correction_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(overpaid_amount__gte=0), name="invoice_correction_overpaid_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class AgingSnapshot(TenantOwnedModel):
    """The aging of one client's receivables on one day, kept for trends on the dashboard."""

    on = models.DateField(_("date"))
    currency = currency_field()
    not_due = money_field(_("not yet due"), default=ZERO)
    overdue_1_30 = money_field(_("1–30 days"), default=ZERO)
    overdue_31_60 = money_field(_("31–60 days"), default=ZERO)
    overdue_61_90 = money_field(_("61–90 days"), default=ZERO)
    overdue_90_plus = money_field(_("over 90 days"), default=ZERO)
    open_invoices = models.PositiveIntegerField(_("open invoices"), default=0)
    dso_days = models.DecimalField(_("DSO (days)"), max_digits=7, decimal_places=1, null=True)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aging snapshot")
        verbose_name_plural = _("aging snapshots")
        ordering = ["-on"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "on", "currency"], name="aging_snapshot_unique_day"
            )
        ]
