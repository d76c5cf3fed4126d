"""Admin for account managers: the clients' payers and their phone numbers and e-mail addresses."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from payers.models import Payer, PayerContact


class PayerForm(forms.ModelForm):
    class Meta:
        model = Payer
        fields = (
            "tenant",
            "external_id",
            "name",
            "kind",
            "nip",
            "nip_flagged",
            "street",
            "postal_code",
            "city",
            "country",
            "preferred_language",
            "do_not_contact",
            "do_not_contact_reason",
            "do_not_contact_since",
        )

    def _get_validation_exclusions(self) -> set[str]:
        # A NIP imported with a failing checksum is kept as received (DOMAIN.md §6); it must not
        # block other edits of the payer. A NIP typed in here is checked as usual.
        exclude = super()._get_validation_exclusions()
        if self.instance.nip_flagged and "nip" not in self.changed_data:
            exclude.add("nip")
        return exclude


class PayerContactInline(admin.TabularInline):
    model = PayerContact
    fields = ("kind", "value", "label", "is_primary", "is_wrong", "opted_out_at")
    extra = 0


@admin.register(Payer)
class PayerAdmin(admin.ModelAdmin):
    form = PayerForm
    list_display = ("name", "external_id", "tenant", "kind", "nip", "city", "do_not_contact")
    list_filter = ("tenant", "kind", "do_not_contact", "nip_flagged")
    search_fields = ("name", "nip", "external_id")
    list_select_related = ("tenant",)
    show_full_result_count = False
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("tenant", "external_id", "name", "kind", "nip", "nip_flagged")}),
        (_("Address"), {"fields": ("street", "postal_code", "city", "country")}),
        (
            _("Contact"),
            {
                "fields": (
                    "preferred_language",
                    "do_not_contact",
                    "do_not_contact_reason",
                    "do_not_contact_since",
                )
            },
        ),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (PayerContactInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Payer | None = None) -> tuple:
        # Moving a payer to another client, or renaming its ERP id, would detach it from its
        # invoices and from the next import.
        if obj is not None:
            return (*self.readonly_fields, "tenant", "external_id")
        return self.readonly_fields

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        # A contact belongs to its payer's client.
        for contact in formset.save(commit=False):
            contact.tenant_id = form.instance.tenant_id
            contact.save()
        for contact in formset.deleted_objects:
            contact.delete()
        formset.save_m2m()


@admin.register(PayerContact)
class PayerContactAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "payer", "tenant", "is_primary", "is_wrong", "opted_out_at")
    list_filter = ("kind", "is_primary", "is_wrong")
    search_fields = ("value", "payer__name", "payer__external_id")
    list_select_related = ("payer", "tenant")
    autocomplete_fields = ("payer",)
    show_full_result_count = False
    fields = ("payer", "kind", "value", "label", "is_primary", "is_wrong", "opted_out_at")

    def get_readonly_fields(self, request: HttpRequest, obj: PayerContact | None = None) -> tuple:
        return ("payer",) if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: PayerContact, form: ModelForm, change: bool
    ) -> None:
        obj.tenant_id = obj.payer.tenant_id
        super().save_model(request, obj, form, change)
