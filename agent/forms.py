"""Input shapes of the agent screen: the outcome of a call, a new phone number, a reassignment."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invoices.models import Invoice
from payers.models import PayerContact
from tenants.models import Tenant, User

# The outcomes a consultant picks, in the order of their digit keys (1–8).
OUTCOME_CHOICES = [
    ("promise", _("Promise to pay")),
    ("dispute", _("Dispute")),
    ("already_paid", _("Says already paid")),
    ("callback", _("Call back")),
    ("wrong_number", _("Wrong number")),
    ("no_answer", _("No answer")),
    ("voicemail", _("Voicemail")),
    ("refused", _("Refused")),
]
DISPUTE_CATEGORIES = [
    ("quality", _("Quality")),
    ("quantity", _("Quantity")),
    ("price", _("Price")),
    ("delivery", _("Delivery")),
    ("not_ordered", _("Not ordered")),
    ("other", _("Other")),
]
# Which inputs each outcome passes on to `record_outcome`; the others are ignored, so a value
# left in a hidden field of another outcome never leaks into this one.
FIELDS_OF_KIND: dict[str, tuple[str, ...]] = {
    "promise": ("promised_date", "promised_amount", "invoices"),
    "dispute": ("dispute_category", "invoices", "description"),
    "already_paid": ("claimed_paid_date", "invoices"),
    "callback": ("callback_at",),
    "wrong_number": ("contact_value",),
    "no_answer": (),
    "voicemail": (),
    "refused": ("objection",),
}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Outcome"), choices=OUTCOME_CHOICES, widget=forms.RadioSelect)
    promised_date = forms.DateField(
        label=_("Will pay on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    promised_amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,  # "1 230,00" in Polish
    )
    invoices = forms.ModelMultipleChoiceField(
        label=_("Invoices"),
        queryset=Invoice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all the invoices of the call."),
    )
    dispute_category = forms.ChoiceField(
        label=_("Category"), choices=[("", "—"), *DISPUTE_CATEGORIES], required=False
    )
    description = forms.CharField(
        label=_("What is wrong"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    claimed_paid_date = forms.DateField(
        label=_("Paid on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    contact_value = forms.ChoiceField(label=_("Number"), required=False, choices=())
    objection = forms.BooleanField(
        label=_("The payer objects to contact on this number (opt-out)"), required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, tenant: Tenant, invoices, phones: list[PayerContact], **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields["invoices"].queryset = invoices
        self.fields["invoices"].label_from_instance = lambda invoice: invoice.number
        self.fields["contact_value"].choices = [(p.value, p.value) for p in phones]

    def clean_callback_at(self):
        value = self.cleaned_data.get("callback_at")
        if value is None:
            return None
        # The consultant types the client's local time (calls follow the payer's clock).
        return timezone.make_aware(
            timezone.make_naive(value) if timezone.is_aware(value) else value, self.tenant.zone
        )

    def outcome_arguments(self) -> dict:
        """Keyword arguments for `record_outcome` from the chosen kind's own inputs."""
        kind = self.cleaned_data["kind"]
        arguments = {"kind": kind, "note": self.cleaned_data.get("note", "")}
        for name in FIELDS_OF_KIND[kind]:
            if name == "objection":
                # A refusal to pay is not an objection to contact: only when ticked is the
                # number blocked (RODO art. 21).
                if self.cleaned_data.get("objection"):
                    arguments["contact_value"] = self.cleaned_data.get("contact_value", "")
                continue
            value = self.cleaned_data.get(name)
            if name == "invoices":
                value = list(value or [])
            if value not in (None, ""):
                arguments[name] = value
        return arguments

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's errors next to their inputs (the rest above the form)."""
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class PhoneForm(forms.Form):
    value = forms.CharField(label=_("Phone number"), max_length=30)
    label = forms.CharField(label=_("Label"), max_length=60, required=False)


class ReassignForm(forms.Form):
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none())

    def __init__(self, *args, consultants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = consultants
