"""Admin for what outcomes leave behind: outcomes (read-only), pauses and stops (account managers
add and end them), collection cases (read-only, exported as CSV or JSON), outcome rules."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from contact_schedule import holds
from contact_schedule.collection_export import export_cases
from contact_schedule.models import CollectionCase, Hold, Outcome, OutcomeRules
from tenants.selectors import tenant_today

# Kinds an account manager sets by hand; the others come from outcomes and escalation.
MANUAL_KINDS = (Hold.Kind.MANUAL, Hold.Kind.BANKRUPTCY, Hold.Kind.DEATH)


class RecordAdmin(admin.ModelAdmin):
    """Records of what happened: account managers look, nobody edits."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Outcome)
class OutcomeAdmin(RecordAdmin):
    list_display = ["created_at", "tenant", "payer", "kind", "source", "promise_state", "user"]
    list_filter = ["kind", "source", "promise_state", "dispute_state", "tenant"]
    search_fields = ["payer__name", "payer__nip", "contact_value", "note"]
    list_select_related = ["tenant", "payer", "user"]
    date_hierarchy = "created_at"
    filter_horizontal = ["invoices"]


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    """Pauses are added and ended here, never deleted: the rows are the payer's history."""

    list_display = ["payer", "invoice", "kind", "reason", "starts_on", "ends_on", "lifted_at"]
    list_filter = ["kind", "tenant"]
    search_fields = ["payer__name", "payer__nip", "invoice__number", "reason"]
    list_select_related = ["tenant", "payer", "invoice"]
    raw_id_fields = ["payer", "invoice"]
    autocomplete_fields = ["tenant"]
    fields = ["tenant", "payer", "invoice", "kind", "reason", "starts_on", "ends_on"]
    actions = ["lift"]

    def get_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return self.fields
        return [*self.fields, "lifted_at", "outcome", "case", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return []
        return [
            "tenant",
            "payer",
            "invoice",
            "kind",
            "starts_on",
            "lifted_at",
            "outcome",
            "case",
            "created_by",
            "created_at",
        ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [(k.value, k.label) for k in MANUAL_KINDS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Hold, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
            obj.starts_on = obj.starts_on or tenant_today(obj.tenant)
            if obj.kind in Hold.FINAL_KINDS:
                obj.ends_on = None
        super().save_model(request, obj, form, change)

    @admin.action(description=_("End the selected pauses now"))
    def lift(self, request: HttpRequest, queryset: QuerySet) -> None:
        for hold in queryset.select_related("tenant"):
            try:
                holds.lift_hold(tenant=hold.tenant, hold=hold, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{hold}: {error.messages[0]}", messages.ERROR)


class CaseHoldInline(admin.TabularInline):
    model = Hold
    fields = ["invoice", "starts_on"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(CollectionCase)
class CollectionCaseAdmin(RecordAdmin):
    list_display = ["created_at", "tenant", "payer", "reason", "exported_at"]
    list_filter = ["reason", "tenant"]
    search_fields = ["payer__name", "payer__nip"]
    list_select_related = ["tenant", "payer"]
    date_hierarchy = "created_at"
    inlines = [CaseHoldInline]
    actions = ["export_csv", "export_json"]

    def _export(self, request: HttpRequest, queryset: QuerySet, fmt: str) -> HttpResponse | None:
        tenants = {case.tenant for case in queryset.select_related("tenant")}
        if len(tenants) != 1:
            self.message_user(
                request, _("Export the cases of one client at a time."), messages.ERROR
            )
            return None
        tenant = tenants.pop()
        text = export_cases(tenant=tenant, fmt=fmt, cases=queryset)
        content_type = "text/csv" if fmt == "csv" else "application/json"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        filename = f"collection-cases-{tenant.slug}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description=_("Export as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export as JSON"))
    def export_json(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._export(request, queryset, "json")


@admin.register(OutcomeRules)
class OutcomeRulesAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "promise_grace_days",
        "already_paid_wait_days",
        "broken_promises_to_escalate",
    ]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
