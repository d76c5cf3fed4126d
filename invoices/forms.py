"""Forms of the client's pages about invoices: handing over one invoice for express monitoring."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from invoices.documents import validate_invoice_pdf
from invoices.models import Invoice
from payers.models import Payer
from payers.phones import normalize_phone
from tenants.identifiers import normalize_nip, validate_nip
from tenants.models import Tenant

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 14, "decimal_places": 2}


class HandoverForm(forms.Form):
    """One invoice for express monitoring, for one of the client's payers or a new one.

    Checks everything a user can correct here (amounts, dates, NIP, phone, ids already used);
    the service and the database check the same rules again.
    """

    payer = forms.ModelChoiceField(
        label=_("Payer"),
        queryset=Payer.objects.none(),
        required=False,
        empty_label=_("— a new payer (fill in below) —"),
    )
    payer_external_id = forms.CharField(
        label=_("Payer's id in your system"), max_length=100, required=False
    )
    payer_name = forms.CharField(label=_("Name"), max_length=300, required=False)
    payer_kind = forms.ChoiceField(
        label=_("Kind"), choices=Payer.Kind.choices, initial=Payer.Kind.BUSINESS, required=False
    )
    payer_nip = forms.CharField(label=_("NIP"), max_length=20, required=False)
    payer_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    payer_email = forms.EmailField(label=_("E-mail"), required=False)

    number = forms.CharField(label=_("Invoice number"), max_length=100)
    external_id = forms.CharField(
        label=_("Invoice id in your system"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the invoice number."),
    )
    issue_date = forms.DateField(label=_("Issue date"), widget=DATE_INPUT)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_INPUT)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="PLN")
    gross_amount = forms.DecimalField(label=_("Gross amount"), **MONEY)
    outstanding_amount = forms.DecimalField(
        label=_("Outstanding"),
        required=False,
        help_text=_("Leave empty when nothing has been paid yet."),
        **MONEY,
    )

    monitoring = forms.ChoiceField(
        label=_("Monitoring"),
        choices=[
            ("express", _("Express: the contact schedule starts today")),
            ("program", _("With my monitoring programme")),
        ],
        initial="express",
        required=False,
        widget=forms.RadioSelect,
    )
    document = forms.FileField(
        label=_("The invoice as PDF"),
        required=False,
        help_text=_("Optional; a PDF of at most %(limit)s.") % {"limit": "10 MB"},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    NEW_PAYER_FIELDS = (
        "payer_external_id",
        "payer_name",
        "payer_kind",
        "payer_nip",
        "payer_phone",
        "payer_email",
    )
    INVOICE_FIELDS = (
        "number",
        "external_id",
        "issue_date",
        "due_date",
        "currency",
        "gross_amount",
        "outstanding_amount",
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["payer"].queryset = Payer.objects.for_tenant(tenant).order_by("name")

    # --- groups for the template ----------------------------------------------------------

    @property
    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(title, fields) for the template: the payer chosen, a new payer, the invoice."""
        return [
            (_("Payer"), [self["payer"]]),
            (_("…or a new payer"), [self[name] for name in self.NEW_PAYER_FIELDS]),
            (_("Invoice"), [self[name] for name in self.INVOICE_FIELDS]),
            (_("Express monitoring"), [self["monitoring"], self["document"]]),
        ]

    # --- single fields --------------------------------------------------------------------

    def clean_payer_nip(self) -> str:
        nip = self.cleaned_data["payer_nip"].strip()
        if nip:
            validate_nip(nip)
        return normalize_nip(nip)

    def clean_payer_phone(self) -> str:
        phone = self.cleaned_data["payer_phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            validate_invoice_pdf(document)
        return document or None

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise ValidationError(_("Give the currency as a three-letter code, e.g. PLN or EUR."))
        return currency

    # --- across fields --------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("payer") is None and "payer" not in self.errors:
            self._check_new_payer(cleaned)
        elif any(cleaned.get(name) for name in self.NEW_PAYER_FIELDS if name != "payer_kind"):
            self.add_error(
                "payer",
                _("You chose an existing payer and also described a new one: keep one of them."),
            )
        if not cleaned.get("external_id"):
            cleaned["external_id"] = cleaned.get("number", "")
        outstanding_given = cleaned.get("outstanding_amount") is not None
        if not outstanding_given:
            cleaned["outstanding_amount"] = cleaned.get("gross_amount")
        self._check_invoice(cleaned, outstanding_given=outstanding_given)
        return cleaned

    def _check_new_payer(self, cleaned: dict[str, Any]) -> None:
        if not cleaned.get("payer_name"):
            self.add_error(
                "payer_name", _("Choose one of your payers above, or give the new payer's name.")
            )
        external_id = cleaned.get("payer_external_id", "").strip()
        if not external_id:
            self.add_error("payer_external_id", _("Give the payer's id in your system."))
        elif Payer.objects.for_tenant(self.tenant).filter(external_id=external_id).exists():
            self.add_error(
                "payer_external_id",
                _("You already have a payer with id %(id)s: choose it from the list above.")
                % {"id": external_id},
            )

    def _check_invoice(self, cleaned: dict[str, Any], *, outstanding_given: bool) -> None:
        """The invoice's own rules (Invoice.clean), then the client's ids already in use."""
        draft = Invoice(
            gross_amount=cleaned.get("gross_amount"),
            outstanding_amount=cleaned.get("outstanding_amount"),
            issue_date=cleaned.get("issue_date"),
            due_date=cleaned.get("due_date"),
        )
        try:
            draft.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                # An outstanding amount left empty copies the gross one: only that one is wrong.
                if field == "outstanding_amount" and not outstanding_given:
                    continue
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
        external_id = cleaned.get("external_id")
        if (
            external_id
            and Invoice.objects.for_tenant(self.tenant).filter(external_id=external_id).exists()
        ):
            field = "external_id" if self.data.get("external_id") else "number"
            self.add_error(
                field,
                _("Invoice %(id)s is already being monitored for you.") % {"id": external_id},
            )

    # --- to and from the service ----------------------------------------------------------

    def service_arguments(self) -> dict[str, Any]:
        """Keyword arguments of `invoices.services.hand_over_invoice` (tenant apart)."""
        data = self.cleaned_data
        arguments: dict[str, Any] = {name: data[name] for name in self.INVOICE_FIELDS}
        arguments["express"] = data.get("monitoring") != "program"
        arguments["document"] = data.get("document")
        if data["payer"] is not None:
            arguments["payer"] = data["payer"]
        else:
            arguments["payer_data"] = {
                "external_id": data["payer_external_id"],
                "name": data["payer_name"],
                "kind": data["payer_kind"] or Payer.Kind.BUSINESS,
                "nip": data["payer_nip"],
                "phones": [data["payer_phone"]] if data["payer_phone"] else [],
                "emails": [data["payer_email"]] if data["payer_email"] else [],
            }
        return arguments

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (others above the form)."""
        aliases = {"payer_phones": "payer_phone", "payer_emails": "payer_email"}
        errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, messages in errors.items():
            field = aliases.get(field, field)
            if field == NON_FIELD_ERRORS or field not in self.fields:
                field = None
            self.add_error(field, messages)
