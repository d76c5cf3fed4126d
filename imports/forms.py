from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from imports.models import ColumnMapping, ImportBatch, validate_column_mapping
from imports.parsers.columns import SYNONYMS

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect automatically"))] + list(ImportBatch.Format.choices),
        required=False,
    )
    mapping = forms.ChoiceField(
        label=_("Column mapping (CSV, XLSX)"),
        required=False,
        error_messages={"invalid_choice": _('There is no column mapping called "%(value)s".')},
    )
    snapshot = forms.BooleanField(
        label=_("This file is a full snapshot of open invoices"),
        required=False,
        help_text=_("Open invoices missing from it will be marked settled."),
    )

    def __init__(self, *args, mappings: Iterable[ColumnMapping] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        mappings = list(mappings)
        default = next((mapping for mapping in mappings if mapping.is_default), None)
        first = (
            _("The default: %(name)s") % {"name": default.name}
            if default
            else _("None: the usual headers of Polish ERP exports")
        )
        self.fields["mapping"].choices = [("", first)] + [
            (mapping.name, mapping.name) for mapping in mappings
        ]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file has %(size)d MB; the limit is %(limit)d MB.")
                % {"size": uploaded.size // 2**20, "limit": MAX_UPLOAD_BYTES // 2**20}
            )
        return uploaded


class ColumnMappingForm(forms.Form):
    """A mapping as the client writes it: one `header in the file = our field` per line."""

    name = forms.CharField(label=_("Name"), max_length=100)
    columns = forms.CharField(
        label=_("Columns"),
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Dokument nr = number"}),
        help_text=format_lazy(
            _(
                "One column per line: the header in your file, “=”, our field name; nothing "
                "after “=” ignores the column. Our field names: {fields}."
            ),
            fields=", ".join(SYNONYMS),
        ),
    )
    is_default = forms.BooleanField(
        label=_("Use it for every CSV or XLSX file that names no mapping"), required=False
    )

    @staticmethod
    def initial_for(mapping: ColumnMapping) -> dict[str, object]:
        lines = [f"{header} = {field}".rstrip() for header, field in mapping.mapping.items()]
        return {"name": mapping.name, "columns": "\n".join(lines), "is_default": mapping.is_default}

    def clean_columns(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["columns"].splitlines(), start=1):
            if not line.strip():
                continue
            header, equals, field = line.rpartition("=")
            if not equals or not header.strip():
                raise forms.ValidationError(
                    _(
                        "Line %(number)d: write it as “header in the file = field”, e.g. "
                        "“Dokument nr = number”."
                    )
                    % {"number": number}
                )
            mapping[header.strip()] = field.strip()
        validate_column_mapping(mapping)
        return mapping
