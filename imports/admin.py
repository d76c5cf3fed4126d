from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from imports.drop_folder import DropFolderError, drop_folder_of
from imports.models import (
    BankEntry,
    ColumnMapping,
    ImportBatch,
    ImportRowError,
    ImportSettings,
    KnownAccount,
)
from imports.parsers.columns import SYNONYMS


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
    list_filter = ["status", "format", "channel", "snapshot", "tenant"]
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
        "match_reason",
        "matched_by",
        "matched_at",
    ]
    list_filter = ["state", "match_reason", "tenant", "currency"]
    search_fields = [
        "title",
        "counterparty_name",
        "counterparty_nip",
        "counterparty_account",
        "external_id",
    ]
    list_select_related = ["tenant", "matched_by"]
    date_hierarchy = "booked_on"


@admin.register(KnownAccount)
class KnownAccountAdmin(admin.ModelAdmin):
    """Accounts clients confirmed for their payers; a wrong one is deleted, never re-pointed
    (the next confirmation teaches it again)."""

    list_display = ["account", "payer", "tenant", "shared", "confirmed_by", "updated_at"]
    list_filter = ["shared", "tenant"]
    search_fields = ["account", "payer__name", "tenant__name"]
    list_select_related = ["tenant", "payer", "confirmed_by"]
    fields = ["tenant", "account", "payer", "shared", "confirmed_by", "created_at", "updated_at"]
    readonly_fields = ["tenant", "account", "payer", "confirmed_by", "created_at", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    """A client's own CSV/XLSX headers; the JSON is checked against our field names on save."""

    list_display = ["name", "tenant", "is_default", "updated_at"]
    list_filter = ["is_default", "tenant"]
    search_fields = ["name", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    fieldsets = [
        (
            None,
            {
                "fields": ["tenant", "name", "mapping", "is_default"],
                "description": format_lazy(
                    _("Our field names: {fields}."), fields=", ".join(SYNONYMS)
                ),
            },
        )
    ]


@admin.register(ImportSettings)
class ImportSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "tenant",
        "drop_folder_enabled",
        "import_hour",
        "snapshot_mode",
        "last_drop_scan_at",
    ]
    list_filter = ["drop_folder_enabled", "snapshot_mode"]
    search_fields = ["tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    fields = [
        "tenant",
        "drop_folder_enabled",
        "drop_folder",
        "import_hour",
        "snapshot_mode",
        "last_drop_scan_at",
    ]
    readonly_fields = ["drop_folder", "last_drop_scan_at"]

    @admin.display(description=_("drop folder"))
    def drop_folder(self, obj: ImportSettings) -> str:
        if obj.pk is None:
            return _("DROP_FOLDER_ROOT/<client slug>/incoming, once saved.")
        try:
            incoming = drop_folder_of(obj.tenant).incoming
        except DropFolderError as error:
            return str(error)
        return format_html("<code>{}</code>", incoming)

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # A client has one settings row: its client is chosen once.
        return [*self.readonly_fields, "tenant"] if obj else self.readonly_fields
