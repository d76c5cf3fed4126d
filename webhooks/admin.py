"""Account managers see every client's webhooks: endpoints (switch one off or on), events and
delivery logs read-only. Secrets are never shown here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import update_endpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what was sent: looked at, never edited."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RecentDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "state", "attempts", "last_status", "error", "last_attempt_at"]
    readonly_fields = fields
    ordering = ["-id"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "tenant", "is_active", "failing_since", "disabled_reason", "created_at"]
    list_filter = ["is_active", "tenant"]
    search_fields = ["url", "description", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    fields = [
        "tenant",
        "url",
        "description",
        "event_types",
        "is_active",
        "disabled_at",
        "disabled_reason",
        "failing_since",
        "created_at",
        "created_by",
    ]
    # The URL and subscriptions are the client's to set (pages or API, with the SSRF check);
    # here only the switch.
    readonly_fields = [name for name in fields if name != "is_active"]
    inlines = [RecentDeliveryInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: WebhookEndpoint, form, change: bool) -> None:
        # Through the service, so switching off gives up what waits and switching on clears
        # the failure record, exactly as on the client's page.
        stored = WebhookEndpoint.objects.get(pk=obj.pk)
        update_endpoint(endpoint=stored, is_active=obj.is_active)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["msg_id", "event_type", "tenant", "created_at"]
    list_filter = ["event_type", "tenant"]
    search_fields = ["msg_id", "tenant__name"]
    list_select_related = ["tenant"]
    date_hierarchy = "created_at"


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "tenant",
        "endpoint",
        "event_type",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["state", "tenant"]
    search_fields = ["event__msg_id", "endpoint__url", "tenant__name"]
    list_select_related = ["tenant", "endpoint", "event"]
    date_hierarchy = "created_at"

    @admin.display(description=_("event type"))
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.event_type
