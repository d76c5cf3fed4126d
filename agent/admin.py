"""Admin: account managers edit the call scripts (operator defaults and clients' own); claims are
records, looked at, never edited."""

from __future__ import annotations

from django.contrib import admin

from agent.models import CallClaim, CallScript


@admin.register(CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    list_display = ["stage", "tenant", "title", "updated_at"]
    list_filter = ["stage"]
    search_fields = ["title", "tenant__name"]
    autocomplete_fields = ["tenant"]
    fields = ["tenant", "stage", "title", "text"]


@admin.register(CallClaim)
class CallClaimAdmin(admin.ModelAdmin):
    list_display = ["claimed_at", "consultant", "tenant", "payer", "ending", "outcome_kind"]
    list_filter = ["ending", "outcome_kind"]
    date_hierarchy = "claimed_at"
    list_select_related = ["consultant", "tenant", "payer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
