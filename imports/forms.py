from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.models import ImportBatch

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect automatically"))] + list(ImportBatch.Format.choices),
        required=False,
    )
    snapshot = forms.BooleanField(
        label=_("This file is a full snapshot of open invoices"),
        required=False,
        help_text=_("Open invoices missing from it will be marked settled."),
    )

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
