"""Account managers see and correct every client's stamp designs, and can revoke one."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from stamps.models import StampDesign
from stamps.services import revoke_design


@admin.register(StampDesign)
class StampDesignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "tenant",
        "form",
        "shape",
        "width_mm",
        "height_mm",
        "code",
        "revoked_at",
    ]
    list_filter = ["form", "shape", ("revoked_at", admin.EmptyFieldListFilter), "tenant"]
    search_fields = ["name", "code", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    readonly_fields = ["code", "created_by", "created_at", "updated_at", "revoked_by"]
    fields = [
        "tenant",
        "name",
        "form",
        "shape",
        ("width_mm", "height_mm"),
        "color",
        "text",
        "code",
        ("created_by", "created_at", "updated_at"),
        ("revoked_at", "revoked_by", "revoke_reason"),
    ]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected stamp designs"))
    def revoke(self, request, queryset) -> None:
        designs = list(queryset.filter(revoked_at__isnull=True))
        for design in designs:
            revoke_design(
                design=design, revoked_by=request.user, reason=str(_("Revoked by the operator."))
            )
        self.message_user(
            request,
            ngettext("%(count)d design revoked.", "%(count)d designs revoked.", len(designs))
            % {"count": len(designs)},
            messages.SUCCESS,
        )
