"""Admin for account managers: statutory interest rates (add one when a new rate is announced),
NBP exchange rates, and the compensation claimed per invoice (read-only)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dunning.documents.selectors import shipped_template
from dunning.message_templates import PLACEHOLDERS, render_text
from dunning.models import (
    CompensationClaim,
    Document,
    DocumentKind,
    DocumentLanguage,
    DocumentTemplate,
    InterestRate,
    LetterBatch,
    Message,
    MessageTemplate,
    NbpRate,
    SenderIdentity,
)
from dunning.sms_text import SmsLength, sms_segments, transliterate


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


# --- Communications ---------------------------------------------------------------------------
SAMPLE_VALUES = {
    "payer_name": "Przykładowy Odbiorca Sp. z o.o.",
    "invoice_numbers": "FV/12/2026, FV/15/2026",
    "amount": "4 920,00 zł",
    "due_date": "15.10.2026",
    "days_overdue": "12",
    "days_overdue_text": "12 dni",
    "consultant_phone": "+48 22 100 20 30",
    "promise_date": "10.11.2026",
}


def _length_line(length: SmsLength) -> str:
    return ngettext(
        "%(encoding)s, %(units)d characters: %(segments)d SMS",
        "%(encoding)s, %(units)d characters: %(segments)d SMS parts",
        length.segments,
    ) % {"encoding": length.encoding, "units": length.units, "segments": length.segments}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "channel", "tenant", "transliterate", "updated_at")
    list_filter = ("channel", "tenant")
    search_fields = ("code", "body")
    fields = ("tenant", "code", "channel", "subject", "body", "transliterate", "preview")
    readonly_fields = ("preview",)

    @admin.display(description=_("Preview with sample data"))
    def preview(self, obj: MessageTemplate) -> str:
        if not obj.pk:
            return _("Save to see the preview. Placeholders: %(names)s") % {
                "names": ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
            }
        values = SAMPLE_VALUES | {
            "client_name": obj.tenant.name,
            "bank_account": obj.tenant.iban,
            "operator_name": settings.OPERATOR_NAME,
        }
        rendered = render_text(
            body=obj.body,
            subject=obj.subject,
            channel=obj.channel,
            values=values,
            transliterated=False,
        )
        rows = [format_html("<p style='white-space:pre-wrap'>{}</p>", rendered.body)]
        if rendered.length:
            plain = sms_segments(transliterate(rendered.body))
            rows.append(
                format_html(
                    "<p><b>{}</b> {}<br><b>{}</b> {}</p>",
                    _("As written:"),
                    _length_line(rendered.length),
                    _("Without diacritics:"),
                    _length_line(plain),
                )
            )
            if obj.transliterate:
                rows.append(format_html("<p>{}</p>", _("Sent without diacritics:")))
                rows.append(
                    format_html(
                        "<p style='white-space:pre-wrap'>{}</p>", transliterate(rendered.body)
                    )
                )
        return format_html_join("", "{}", ((row,) for row in rows))


@admin.register(SenderIdentity)
class SenderIdentityAdmin(admin.ModelAdmin):
    list_display = ("tenant", "sms_sender", "messaging_service_sid", "caller_id", "email_from")
    list_select_related = ("tenant",)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "tenant",
        "channel",
        "direction",
        "recipient",
        "status",
        "attempts",
        "error_code",
    )
    list_filter = ("channel", "status", "direction", "tenant")
    list_select_related = ("tenant",)
    search_fields = ("recipient", "provider_sid", "body")
    date_hierarchy = "created_at"

    # The outbox writes messages; admin only shows them (a change could send one twice).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Documents -------------------------------------------------------------------------------


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    """Account managers edit a letter's Django template and CSS; a new row starts from the file
    shipped for its kind and language (`?kind=…&language=…` in the add link picks them)."""

    list_display = ("kind", "language", "tenant", "updated_at")
    list_filter = ("kind", "language", "tenant")
    list_select_related = ("tenant",)
    fields = ("tenant", "kind", "language", "html", "css")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        kind = initial.get("kind") or DocumentKind.DEMAND
        language = initial.get("language") or DocumentLanguage.POLISH
        if kind in DocumentKind.values and language in DocumentLanguage.values:
            shipped = shipped_template(kind, language)
            initial.update(kind=kind, language=language, html=shipped.html, css=shipped.css)
        return initial


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows made by rendering: admin shows them, never edits them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("document_date", "kind", "payer", "tenant", "language", "pages", "size")
    list_filter = ("kind", "language", "tenant")
    list_select_related = ("payer", "tenant")
    search_fields = ("payer__name", "payer__external_id", "sha256")
    date_hierarchy = "document_date"


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnlyAdmin):
    list_display = (
        "day",
        "tenant",
        "total",
        "rendered",
        "already_rendered",
        "failed",
        "finished_at",
    )
    list_filter = ("tenant",)
    list_select_related = ("tenant",)
