"""Admin for the ledger: invoices, payments and their allocation, aging snapshots.

Money moves only through `invoices.services`: a payment added here is booked by `record_payment`
(so it settles invoices), an invoice added here by `create_invoice`, and the fields those services
own are read-only. Nothing here deletes a ledger row; an invoice is cancelled instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from invoices.models import (
    ZERO,
    AgingSnapshot,
    Invoice,
    InvoiceCorrection,
    Payment,
    PaymentAllocation,
    Source,
)
from invoices.services import cancel_invoices, create_invoice, record_payment
from invoices.templatetags.money import money
from tenants.models import Tenant


def money_column(field: str, description: str) -> Callable[[Any, Any], str]:
    """An admin column or read-only field showing `field` with the row's currency."""

    @admin.display(description=description, ordering=field)
    def column(model_admin: admin.ModelAdmin, obj: Any) -> str:
        return money(getattr(obj, field), obj.currency)

    return column


class ReadOnlyMixin:
    """Shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AllocationInline(ReadOnlyMixin, admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    can_delete = False
    allocated = money_column("amount", _("allocated"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaymentAllocation]:
        return super().get_queryset(request).select_related("invoice", "payment")


class PaymentAllocationInline(AllocationInline):
    """On a payment: the invoices it settled."""

    fields = readonly_fields = ("invoice", "allocated")
    verbose_name_plural = _("invoices settled by this payment")


class InvoiceAllocationInline(AllocationInline):
    """On an invoice: the payments that settled it."""

    fields = readonly_fields = ("payment", "allocated")
    verbose_name_plural = _("payments applied to this invoice")


class InvoiceCorrectionInline(ReadOnlyMixin, admin.TabularInline):
    """On an invoice: the correcting invoices applied to it."""

    model = InvoiceCorrection
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "number",
        "issue_date",
        "gross_delta",
        "overpaid_amount",
        "source",
        "created_at",
    )
    verbose_name_plural = _("corrections applied to this invoice")


class CancelActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200, required=False)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "payer",
        "tenant",
        "issue_date",
        "due_date",
        "gross",
        "outstanding",
        "status",
        "monitoring_mode",
        "source",
    )
    list_filter = ("tenant", "status", "monitoring_mode", "currency", "source")
    search_fields = (
        "number",
        "external_id",
        "contract_number",
        "payer__name",
        "payer__nip",
        "payer__external_id",
    )
    date_hierarchy = "due_date"
    list_select_related = ("payer", "tenant")
    autocomplete_fields = ("payer",)
    show_full_result_count = False
    action_form = CancelActionForm
    actions = ("cancel_selected",)
    add_fieldsets = (
        (None, {"fields": ("tenant", "payer", "external_id", "number", "kind")}),
        (_("Instalment"), {"fields": ("contract_number", "instalment_number")}),
        (_("Amount and dates"), {"fields": ("issue_date", "due_date", "currency", "gross_amount")}),
        (_("Monitoring"), {"fields": ("monitoring_mode",)}),
    )
    fieldsets = (
        (None, {"fields": ("tenant", "payer", "external_id", "number", "kind")}),
        (_("Instalment"), {"fields": ("contract_number", "instalment_number")}),
        (_("Dates"), {"fields": ("issue_date", "due_date")}),
        (_("Settlement"), {"fields": ("gross", "outstanding", "paid", "status", "paid_on")}),
        (_("Monitoring"), {"fields": ("monitoring_mode", "source", "created_at", "updated_at")}),
    )
    # What the ledger services own: changing any of these by hand would make the invoice disagree
    # with its payments and allocations (or with the client's ERP on the next import).
    ledger_fields = ("tenant", "payer", "external_id", "source", "status", "paid_on")
    readonly_fields = ("gross", "outstanding", "paid", "created_at", "updated_at")
    inlines = (InvoiceAllocationInline, InvoiceCorrectionInline)

    gross = money_column("gross_amount", _("gross amount"))
    outstanding = money_column("outstanding_amount", _("outstanding"))

    @admin.display(description=_("paid"))
    def paid(self, invoice: Invoice) -> str:
        return money(invoice.paid_amount, invoice.currency)

    def get_fieldsets(self, request: HttpRequest, obj: Invoice | None = None) -> tuple:
        return self.fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Invoice | None = None) -> tuple:
        if obj is None:
            return ()
        return (*self.ledger_fields, *self.readonly_fields)

    def get_inlines(self, request: HttpRequest, obj: Invoice | None) -> tuple:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Invoice, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        invoice = create_invoice(
            tenant=data["tenant"],
            payer=data["payer"],
            external_id=data["external_id"],
            number=data["number"],
            issue_date=data["issue_date"],
            due_date=data["due_date"],
            gross_amount=data["gross_amount"],
            currency=data["currency"],
            monitoring_mode=data["monitoring_mode"],
            source=Source.MANUAL,
            kind=data["kind"],
            contract_number=data["contract_number"],
            instalment_number=data["instalment_number"],
        )
        obj.pk = invoice.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Invoice | None = None) -> bool:
        return False  # an invoice is cancelled, never deleted

    @admin.action(description=_("Cancel selected invoices"), permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(
                request,
                _("Write the reason for cancelling in the field next to the action, then run it."),
                messages.ERROR,
            )
            return
        ids_by_tenant: dict[int, list[int]] = defaultdict(list)
        for tenant_id, invoice_id in queryset.values_list("tenant_id", "id"):
            ids_by_tenant[tenant_id].append(invoice_id)
        tenants = Tenant.objects.in_bulk(list(ids_by_tenant))
        cancelled: list[Invoice] = []
        for tenant_id, invoice_ids in ids_by_tenant.items():
            cancelled += cancel_invoices(
                tenant=tenants[tenant_id], invoice_ids=invoice_ids, reason=reason
            )
        for invoice in cancelled:
            self.log_change(request, invoice, f"Cancelled: {reason}")
        skipped = sum(len(ids) for ids in ids_by_tenant.values()) - len(cancelled)
        message = ngettext(
            "%(count)d invoice cancelled.", "%(count)d invoices cancelled.", len(cancelled)
        ) % {"count": len(cancelled)}
        if skipped:
            message += " " + ngettext(
                "%(count)d was paid or cancelled already and was left as it is.",
                "%(count)d were paid or cancelled already and were left as they are.",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, message, messages.SUCCESS if cancelled else messages.WARNING)


class PaymentAddForm(forms.ModelForm):
    """A payment typed in by hand; checked here so `record_payment` never refuses it."""

    class Meta:
        model = Payment
        fields = (
            "tenant",
            "payer",
            "invoice",
            "amount",
            "currency",
            "paid_on",
            "reference",
            "external_id",
        )

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError(_("Use a three-letter ISO code, such as PLN or EUR."))
        return currency

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        tenant, payer, invoice = cleaned.get("tenant"), cleaned.get("payer"), cleaned.get("invoice")
        if tenant and payer and payer.tenant_id != tenant.id:
            self.add_error("payer", _("%(payer)s is a payer of another client.") % {"payer": payer})
        if payer and invoice and invoice.payer_id != payer.id:
            self.add_error(
                "invoice",
                _("Invoice %(number)s was issued to %(payer)s, not to this payer.")
                % {"number": invoice.number, "payer": invoice.payer},
            )
        currency = cleaned.get("currency")
        if invoice and currency and invoice.currency != currency:
            self.add_error(
                "invoice",
                _("Invoice %(number)s is in %(invoice_currency)s, the payment in %(currency)s.")
                % {
                    "number": invoice.number,
                    "invoice_currency": invoice.currency,
                    "currency": currency,
                },
            )
        external_id = cleaned.get("external_id")
        if tenant and external_id:
            booked = Payment.objects.for_tenant(tenant).filter(external_id=external_id)
            if booked.exists():
                self.add_error(
                    "external_id",
                    _("A payment with the id %(id)s is already booked for this client.")
                    % {"id": external_id},
                )
        return cleaned


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are added (through `record_payment`) and looked at; never changed or deleted."""

    add_form = PaymentAddForm
    list_display = (
        "paid_on",
        "amount_with_currency",
        "unallocated",
        "payer",
        "tenant",
        "invoice",
        "reference",
        "source",
    )
    list_filter = ("tenant", "source", "currency")
    search_fields = ("reference", "external_id", "payer__name", "payer__nip", "invoice__number")
    date_hierarchy = "paid_on"
    list_select_related = ("payer", "tenant", "invoice")
    autocomplete_fields = ("payer", "invoice")
    show_full_result_count = False
    add_fieldsets = ((None, {"fields": PaymentAddForm.Meta.fields}),)
    fieldsets = (
        (None, {"fields": ("tenant", "payer", "invoice", "paid_on", "reference", "external_id")}),
        (_("Amount"), {"fields": ("amount_with_currency", "allocated", "unallocated")}),
        (_("Origin"), {"fields": ("source", "created_at")}),
    )
    readonly_fields = ("amount_with_currency", "allocated", "unallocated", "created_at")
    inlines = (PaymentAllocationInline,)

    amount_with_currency = money_column("amount", _("amount"))
    allocated = money_column("allocated_total", _("allocated"))

    @admin.display(description=_("unallocated"))
    def unallocated(self, payment: Payment) -> str:
        return money(payment.amount - payment.allocated_total, payment.currency)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        allocated = Coalesce(
            Sum("allocations__amount"),
            Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
        return super().get_queryset(request).annotate(allocated_total=allocated)

    def get_fieldsets(self, request: HttpRequest, obj: Payment | None = None) -> tuple:
        return self.fieldsets if obj is not None else self.add_fieldsets

    def get_form(
        self, request: HttpRequest, obj: Payment | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Payment | None) -> tuple:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Payment, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        payment = record_payment(
            tenant=data["tenant"],
            payer=data["payer"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            currency=data["currency"],
            invoice=data["invoice"],
            reference=data["reference"],
            external_id=data["external_id"],
            source=Source.MANUAL,
        )
        obj.pk = payment.pk
        obj.refresh_from_db()

    def has_change_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False  # a booked payment is history; a wrong one is corrected by a new entry

    def has_delete_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False


@admin.register(AgingSnapshot)
class AgingSnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "on",
        "tenant",
        "currency",
        "not_yet_due",
        "days_1_30",
        "days_31_60",
        "days_61_90",
        "days_90_plus",
        "open_invoices",
        "dso_days",
    )
    list_filter = ("tenant", "currency")
    date_hierarchy = "on"
    list_select_related = ("tenant",)

    not_yet_due = money_column("not_due", _("not yet due"))
    days_1_30 = money_column("overdue_1_30", _("1–30 days"))
    days_31_60 = money_column("overdue_31_60", _("31–60 days"))
    days_61_90 = money_column("overdue_61_90", _("61–90 days"))
    days_90_plus = money_column("overdue_90_plus", _("over 90 days"))
