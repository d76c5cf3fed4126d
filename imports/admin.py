from django.contrib import admin

from imports.models import BankEntry, ImportBatch, ImportRowError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imports are records of what happened: account managers look, nobody edits."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ImportRowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ["line", "field", "message", "value"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "tenant",
        "original_name",
        "format",
        "channel",
        "status",
        "rows_total",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
        "created_at",
    ]
    list_filter = ["status", "format", "channel", "tenant"]
    search_fields = ["original_name", "sha256", "tenant__name"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"
    inlines = [ImportRowErrorInline]


@admin.register(BankEntry)
class BankEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "booked_on",
        "tenant",
        "amount",
        "currency",
        "counterparty_name",
        "title",
        "state",
    ]
    list_filter = ["state", "tenant", "currency"]
    search_fields = ["title", "counterparty_name", "counterparty_nip", "external_id"]
    list_select_related = ["tenant"]
    date_hierarchy = "booked_on"
