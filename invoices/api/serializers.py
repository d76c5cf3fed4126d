"""Request and response shapes of `/api/v1/invoices` and `/api/v1/payments`: per endpoint."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoices.api.queries import invoice_of, payer_of
from invoices.models import Invoice, Payment, Source
from payers.api.common import MAX_BULK_ITEMS, WRITE_NOTE, StrictSerializer
from payers.api.serializers import PayerWriteSerializer

MONEY = {"max_digits": 14, "decimal_places": 2}
# A later issue date is a typo, and the default due date (issue date plus the client's payment
# term, up to 32,767 days) must stay a representable date.
LATEST_ISSUE_DATE = datetime.date(2999, 12, 31)
ISSUE_DATE_VALIDATORS = [
    MaxValueValidator(LATEST_ISSUE_DATE, message=_("Expected a date up to %(limit_value)s."))
]
MOVED_ELSEWHERE = (
    "The outstanding amount and the status move only through payments, cancellation and the "
    "bulk upsert or file imports (where the ERP's outstanding amount is the truth)."
)


class PayerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Our id of the payer.")
    external_id = serializers.CharField(help_text="The payer's id in your ERP.")
    name = serializers.CharField(help_text="The payer's name.")


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Our id of the invoice.")
    external_id = serializers.CharField(help_text="The document's id in your ERP.")
    number = serializers.CharField(help_text="The invoice number as printed.")
    kind = serializers.ChoiceField(choices=Invoice.Kind.choices, help_text="Invoice or instalment.")
    contract_number = serializers.CharField(help_text="Loan or lease contract; empty if none.")
    instalment_number = serializers.IntegerField(
        allow_null=True, help_text="Which instalment of the contract; null for invoices."
    )
    payer = PayerRefSerializer(help_text="Who owes the money.")
    issue_date = serializers.DateField(help_text="Date of issue.")
    due_date = serializers.DateField(help_text="Payment due date.")
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. PLN.")
    gross_amount = serializers.DecimalField(**MONEY, help_text="Gross amount of the document.")
    outstanding_amount = serializers.DecimalField(**MONEY, help_text="Still to be paid.")
    paid_amount = serializers.DecimalField(**MONEY, help_text="Gross minus outstanding.")
    status = serializers.ChoiceField(
        choices=Invoice.Status.choices,
        help_text="Follows the outstanding amount; " + MOVED_ELSEWHERE,
    )
    monitoring_mode = serializers.ChoiceField(
        choices=Invoice.MonitoringMode.choices, help_text="Monitoring programme or single invoice."
    )
    source = serializers.ChoiceField(choices=Source.choices, help_text="How the invoice arrived.")
    paid_on = serializers.DateField(allow_null=True, help_text="Paid in full on; null if not.")
    created_at = serializers.DateTimeField(
        help_text="When the invoice arrived (ISO 8601 with offset)."
    )
    updated_at = serializers.DateTimeField(
        help_text="Last change of the invoice (ISO 8601 with offset)."
    )


class InvoicePatchSerializer(StrictSerializer):
    """Only descriptive fields can be patched; amounts and status cannot."""

    unknown_field_message = (
        "Unknown or not changeable by PATCH: amounts and status move through payments, "
        "cancellation and the bulk upsert."
    )

    number = serializers.CharField(
        max_length=100, required=False, help_text="The invoice number as printed."
    )
    kind = serializers.ChoiceField(
        choices=Invoice.Kind.choices,
        required=False,
        help_text="`invoice` (default) or `instalment`.",
    )
    contract_number = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Loan or lease contract."
    )
    instalment_number = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, allow_null=True, help_text="Instalment no."
    )
    issue_date = serializers.DateField(
        required=False,
        validators=ISSUE_DATE_VALIDATORS,
        help_text="Date of issue, YYYY-MM-DD, at the latest 2999-12-31.",
    )
    due_date = serializers.DateField(
        required=False, help_text="Due date, YYYY-MM-DD; not before the issue date."
    )


class InvoiceWriteSerializer(InvoicePatchSerializer):
    unknown_field_message = StrictSerializer.unknown_field_message
    external_id = serializers.CharField(
        max_length=100, help_text="The document's id in your ERP: the key of the upsert."
    )
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Due date, YYYY-MM-DD; when null or left out on a new invoice, the issue date "
        "plus your default payment term.",
    )
    payer_external_id = serializers.CharField(
        max_length=100,
        required=False,
        help_text="Your id of an existing payer (or of one sent inline by another item).",
    )
    payer = PayerWriteSerializer(
        required=False, help_text="The payer inline, upserted by its `external_id`."
    )
    currency = serializers.CharField(
        max_length=3, required=False, help_text="ISO 4217 code; default PLN."
    )
    gross_amount = serializers.DecimalField(
        **MONEY, min_value=Decimal(0), required=False, help_text="Gross amount, e.g. `1230.00`."
    )
    outstanding_amount = serializers.DecimalField(
        **MONEY,
        min_value=Decimal(0),
        required=False,
        help_text="Still to be paid, at most the gross amount; default the gross amount. In the "
        "bulk upsert it is your ERP's truth and the status follows it.",
    )
    monitoring_mode = serializers.ChoiceField(
        choices=Invoice.MonitoringMode.choices,
        required=False,
        help_text="`program` (default) or `single`.",
    )
    paid_on = serializers.DateField(
        required=False, allow_null=True, help_text="Paid in full on, if you know it."
    )


class InvoiceCreateSerializer(InvoiceWriteSerializer):
    number = serializers.CharField(max_length=100, help_text="The invoice number as printed.")
    issue_date = serializers.DateField(
        validators=ISSUE_DATE_VALIDATORS,
        help_text="Date of issue, YYYY-MM-DD, at the latest 2999-12-31.",
    )
    gross_amount = serializers.DecimalField(
        **MONEY, min_value=Decimal(0), help_text="Gross amount, e.g. `1230.00`."
    )
    express = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Express monitoring: the invoice gets the express schedule from today, planned "
        "at once (the same as `monitoring_mode` `single`).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        express = attrs.pop("express", False)
        if express:
            if attrs.get("monitoring_mode") == Invoice.MonitoringMode.PROGRAM:
                raise serializers.ValidationError(
                    {"express": [_("An express invoice cannot also be in the programme.")]}
                )
            attrs["monitoring_mode"] = Invoice.MonitoringMode.SINGLE
        return attrs


class InvoiceBulkRequestSerializer(serializers.Serializer):
    items = InvoiceWriteSerializer(
        many=True,
        max_length=MAX_BULK_ITEMS,
        help_text=f"Up to {MAX_BULK_ITEMS} invoices keyed by `external_id`; new ones need "
        f"`number`, `issue_date`, `gross_amount` and a payer. {WRITE_NOTE}",
    )


class InvoiceCancelSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=200, help_text="Why, e.g. the credit note's number (korekta do zera)."
    )


class InvoiceFilterSerializer(serializers.Serializer):
    status = serializers.MultipleChoiceField(
        choices=Invoice.Status.choices,
        required=False,
        help_text="Only these statuses; repeat the parameter for several.",
    )
    due_from = serializers.DateField(required=False, help_text="Due on or after this date.")
    due_to = serializers.DateField(required=False, help_text="Due on or before this date.")
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Changed at or after this ISO 8601 time (encode `+` as `%2B`).",
    )
    external_id = serializers.CharField(required=False, help_text="Only the invoice with this id.")
    payer_external_id = serializers.CharField(
        required=False, help_text="Only invoices of the payer with this id."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("due_from") and attrs.get("due_to") and attrs["due_from"] > attrs["due_to"]:
            raise serializers.ValidationError({"due_to": ["Must not be before due_from."]})
        return attrs


# --- Payments ---------------------------------------------------------------------------------


class InvoiceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Our id of the invoice.")
    external_id = serializers.CharField(help_text="The document's id in your ERP.")
    number = serializers.CharField(help_text="The invoice number.")


class AllocationSerializer(serializers.Serializer):
    invoice = InvoiceRefSerializer(help_text="The invoice this part settled.")
    amount = serializers.DecimalField(**MONEY, help_text="The part of the payment it received.")


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Our id of the payment.")
    external_id = serializers.CharField(help_text="Your or the bank's id; empty if none.")
    payer = PayerRefSerializer(help_text="Who paid.")
    invoice = InvoiceRefSerializer(
        allow_null=True, help_text="The invoice named in the transfer title, settled first."
    )
    amount = serializers.DecimalField(**MONEY, help_text="Amount received.")
    currency = serializers.CharField(help_text="ISO 4217 code.")
    paid_on = serializers.DateField(help_text="Date of the payment.")
    reference = serializers.CharField(help_text="Transfer title.")
    source = serializers.ChoiceField(choices=Source.choices, help_text="How it arrived.")
    allocations = AllocationSerializer(
        many=True, help_text="How it settled invoices: the named one, then oldest due first."
    )
    unallocated_amount = serializers.SerializerMethodField(
        help_text="What no unsettled invoice in the currency took."
    )
    created_at = serializers.DateTimeField(help_text="When it was booked (ISO 8601 with offset).")

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_unallocated_amount(self, payment: Payment) -> str:
        allocated = sum((part.amount for part in payment.allocations.all()), Decimal("0.00"))
        return str(payment.amount - allocated)


class PaymentCreateSerializer(StrictSerializer):
    """Resolves the external ids to the tenant's rows (context `tenant`); unknown ones are 400."""

    payer_external_id = serializers.CharField(max_length=100, help_text="Your id of the payer.")
    invoice_external_id = serializers.CharField(
        max_length=100,
        required=False,
        help_text="The invoice named in the transfer title, if any; it is settled first.",
    )
    amount = serializers.DecimalField(
        **MONEY, min_value=Decimal("0.01"), help_text="Amount received, e.g. `500.00`."
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", default="PLN", help_text="ISO 4217 code in capitals; default PLN."
    )
    paid_on = serializers.DateField(help_text="Date of the payment, YYYY-MM-DD.")
    reference = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True, help_text="Transfer title."
    )
    external_id = serializers.CharField(
        max_length=120,
        required=False,
        default="",
        allow_blank=True,
        help_text="Your or the bank's id: a payment with an id already booked is never booked "
        "twice (the booked one is returned with status 200).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        tenant = self.context["tenant"]
        payer = payer_of(tenant=tenant, external_id=attrs.pop("payer_external_id"))
        if payer is None:
            raise serializers.ValidationError({"payer_external_id": ["No payer with this id."]})
        invoice = None
        if "invoice_external_id" in attrs:
            invoice = invoice_of(tenant=tenant, external_id=attrs.pop("invoice_external_id"))
            if invoice is None or invoice.payer_id != payer.id:
                raise serializers.ValidationError(
                    {"invoice_external_id": ["No invoice of this payer with this id."]}
                )
        return attrs | {"payer": payer, "invoice": invoice}


class PaymentFilterSerializer(serializers.Serializer):
    external_id = serializers.CharField(required=False, help_text="Only the payment with this id.")
    payer_external_id = serializers.CharField(
        required=False, help_text="Only payments of the payer with this id."
    )
    paid_from = serializers.DateField(required=False, help_text="Paid on or after this date.")
    paid_to = serializers.DateField(required=False, help_text="Paid on or before this date.")
