"""Admin for account managers: schedules (versions with their steps), windows, limits, tasks.

A published version is read-only: steps are edited on a draft ("Draft a new version"), and
"Publish" makes it the one the planner uses. Tasks are records of the planner: look, never edit.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from contact_schedule import services
from contact_schedule.models import (
    ContactLimits,
    ContactTask,
    ContactTaskInvoice,
    ContactWindow,
    OperatorContactBudget,
    PlannerRun,
    ScheduleStep,
    ScheduleTemplate,
    ScheduleVersion,
)


class ScheduleStepInline(admin.TabularInline):
    model = ScheduleStep
    extra = 0
    fields = [
        "position",
        "offset_days",
        "day_kind",
        "channel",
        "message_template",
        "min_outstanding",
        "payer_kind",
        "only_if_no_response",
        "attempts",
        "retry_interval_minutes",
    ]

    def _editable(self, obj: ScheduleVersion | None) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ScheduleVersionInline(admin.TabularInline):
    model = ScheduleVersion
    fields = ["number", "note", "published_at", "published_by"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(ScheduleTemplate)
class ScheduleTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "purpose", "created_at"]
    list_filter = ["purpose"]
    search_fields = ["name", "tenant__name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]
    readonly_fields = ["based_on", "created_at"]
    inlines = [ScheduleVersionInline]
    actions = ["draft_new_version"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        # Moving a schedule to another client would take its history with it.
        return [*self.readonly_fields, "tenant", "purpose"] if obj else self.readonly_fields

    @admin.action(description=_("Draft a new version (a copy of the newest)"))
    def draft_new_version(self, request: HttpRequest, queryset: QuerySet) -> None:
        for template in queryset:
            version = services.draft_next_version(template=template)
            self.message_user(request, _("%(version)s is ready to edit.") % {"version": version})


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "note", "published_at", "published_by"]
    list_filter = ["template"]
    list_select_related = ["template", "published_by"]
    fields = ["template", "number", "note", "published_at", "published_by"]
    readonly_fields = ["template", "number", "published_at", "published_by"]
    inlines = [ScheduleStepInline]
    actions = ["publish"]

    def has_add_permission(self, request) -> bool:
        return False  # versions are drafted from their template

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is not None and not obj.is_published

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        if obj is not None and obj.is_published:
            return [*self.readonly_fields, "note"]
        return self.readonly_fields

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        for version in queryset:
            try:
                services.publish_version(version=version, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{version}: {error.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s is published.") % {"version": version})


@admin.register(ContactWindow)
class ContactWindowAdmin(admin.ModelAdmin):
    list_display = [
        "channel",
        "tenant",
        "weekday_start",
        "weekday_end",
        "saturday_start",
        "saturday_end",
    ]
    list_filter = ["channel"]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]


@admin.register(ContactLimits)
class ContactLimitsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "max_contacts_per_day",
        "max_contacts_per_week",
        "max_call_attempts_per_day",
        "max_sms_per_week",
        "min_hours_between_contacts",
    ]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant"]
    autocomplete_fields = ["tenant"]


@admin.register(OperatorContactBudget)
class OperatorContactBudgetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "max_calls_per_day", "max_sms_per_week", "quiet_hours_start"]

    def has_add_permission(self, request) -> bool:
        return not OperatorContactBudget.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """The planner's records: account managers look, nobody edits."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ContactTaskInvoiceInline(admin.TabularInline):
    model = ContactTaskInvoice
    fields = ["invoice", "step"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(ContactTask)
class ContactTaskAdmin(ReadOnlyAdmin):
    list_display = ["planned_date", "tenant", "payer", "channel", "step", "state", "window_start"]
    list_filter = ["state", "channel", "tenant"]
    search_fields = ["payer__name", "payer__nip", "tenant__name"]
    list_select_related = ["tenant", "payer", "step"]
    date_hierarchy = "planned_date"
    inlines = [ContactTaskInvoiceInline]


@admin.register(PlannerRun)
class PlannerRunAdmin(ReadOnlyAdmin):
    list_display = ["planned_date", "tenant", "started_at", "finished_at", "tasks_created"]
    list_filter = ["tenant"]
    list_select_related = ["tenant"]
    date_hierarchy = "planned_date"


# Outcomes, pauses and collection cases have their own module (registered on import).
from contact_schedule import admin_outcomes  # noqa: E402, F401
