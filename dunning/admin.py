"""Admin for account managers: statutory interest rates (add one when a new rate is announced),
NBP exchange rates, and the compensation claimed per invoice (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dunning.models import CompensationClaim, InterestRate, NbpRate


@admin.register(InterestRate)
class InterestRateAdmin(admin.ModelAdmin):
    list_display = ("kind", "valid_from", "valid_to", "rate", "reference_rate", "verified")
    list_filter = ("kind", "verified")
    date_hierarchy = "valid_from"
    ordering = ("kind", "-valid_from")
    fields = ("kind", "valid_from", "valid_to", "rate", "reference_rate", "source", "verified")
    actions = ["mark_verified"]

    @admin.action(description=_("Mark the selected rates as verified"))
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[InterestRate]) -> None:
        count = queryset.filter(verified=False).update(verified=True)
        self.message_user(
            request,
            ngettext("%(count)d rate marked verified.", "%(count)d rates marked verified.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(NbpRate)
class NbpRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "table_date", "table_number", "rate", "fetched_at")
    list_filter = ("currency",)
    date_hierarchy = "table_date"
    search_fields = ("table_number",)


@admin.register(CompensationClaim)
class CompensationClaimAdmin(admin.ModelAdmin):
    list_display = ("invoice", "tenant", "eur_amount", "pln_amount", "nbp_table_date", "claimed_on")
    list_filter = ("tenant",)
    list_select_related = ("invoice", "tenant")
    search_fields = ("invoice__number",)

    # A claim is made by the letters that carry it; admin only shows it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
