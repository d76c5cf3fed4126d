"""The invoice's PDF a client attaches to a hand-over: what we accept, checked in one place."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def validate_invoice_pdf(document: UploadedFile) -> None:
    """A PDF (by its content, not its name) of at most MAX_DOCUMENT_BYTES, else ValidationError."""
    if document.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s; attach a PDF of at most %(limit)s.")
            % {"size": filesizeformat(document.size), "limit": filesizeformat(MAX_DOCUMENT_BYTES)},
            code="too_big",
        )
    document.seek(0)
    head = document.read(1024)
    document.seek(0)
    # The PDF header may follow a little junk (ISO 32000-1, 7.5.2 lets readers look for it).
    if PDF_MAGIC not in head:
        raise ValidationError(
            _("%(name)s is not a PDF; attach the invoice as a PDF file.") % {"name": document.name},
            code="not_pdf",
        )
