"""Reads for documents: a letter's content and template, the stamp it carries, stored documents."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from dunning.documents.content import (
    LetterContent,
    consultant_contact,
    grouped_iban,
    invoice_lines,
    long_date,
    party_of,
    totals_of,
    transfer_title,
)
from dunning.models import (
    CompensationClaim,
    Document,
    DocumentKind,
    DocumentLanguage,
    DocumentTemplate,
    LetterBatch,
)
from invoices.models import Invoice
from payers.models import Payer
from stamps.artwork import render_svg
from stamps.models import StampDesign
from stamps.selectors import current_electronic_design, designs_of, stamp_spec, verification_of
from tenants.models import Tenant

SHIPPED = Path(__file__).resolve().parent.parent / "templates" / "dunning" / "documents" / "letters"


@dataclass(frozen=True)
class LetterTemplate:
    html: str
    css: str
    source: str  # "client", "operator" or "shipped": admin and tests say which one was used


@cache
def shipped_template(kind: str, language: str) -> LetterTemplate:
    """The default shipped as files: one HTML per letter family and language, one stylesheet."""
    family = "interest_note" if kind == DocumentKind.INTEREST_NOTE else "demand"
    html = (SHIPPED / f"{family}.{language}.html").read_text(encoding="utf-8")
    css = (SHIPPED / "letter.css").read_text(encoding="utf-8")
    return LetterTemplate(html, css, "shipped")


def letter_template(*, tenant: Tenant, kind: str, language: str) -> LetterTemplate:
    """The client's own template of `kind` and `language`, else the operator's, else the file."""
    # Both candidates in one query: at most one row each (the unique constraints).
    rows = (
        DocumentTemplate.objects.for_tenant(tenant) | DocumentTemplate.objects.operator_defaults()
    ).filter(kind=kind, language=language)
    by_source = {"client" if row.tenant_id else "operator": row for row in rows.order_by()}
    for source in ("client", "operator"):
        if source in by_source:
            return LetterTemplate(by_source[source].html, by_source[source].css, source)
    return shipped_template(kind, language)


def letter_language(payer: Payer) -> str:
    if payer.preferred_language in DocumentLanguage.values:
        return payer.preferred_language
    return DocumentLanguage.POLISH


# Drawing a stamp (its QR code) costs a few milliseconds a letter: each process keeps the
# drawings of the current design versions.
_ARTWORK: dict[tuple, tuple[str, tuple[float, float]]] = {}
_ARTWORK_KEPT = 256


def _stamp_artwork(design: StampDesign) -> tuple[str, tuple[float, float]]:
    key = (design.pk, design.updated_at.timestamp(), settings.PUBLIC_BASE_URL)
    if key not in _ARTWORK:
        if len(_ARTWORK) >= _ARTWORK_KEPT:
            _ARTWORK.clear()
        size = (float(design.width_mm), float(design.height_mm))
        _ARTWORK[key] = (render_svg(stamp_spec(design)).svg, size)
    return _ARTWORK[key]


def letter_stamp(*, tenant: Tenant) -> tuple[str, tuple[float, float]] | None:
    """The prevention stamp a letter carries: the client's current electronic stamp while it
    verifies (its QR code must not lead to "not valid"), else its newest mechanical design."""
    design = current_electronic_design(tenant=tenant)
    if design is not None and not verification_of(design).is_valid:
        design = None
    if design is None:
        design = (
            designs_of(tenant=tenant)
            .filter(form=StampDesign.Form.MECHANICAL, revoked_at__isnull=True)
            .first()
        )
    if design is None:
        return None
    return _stamp_artwork(design)


def noted_invoice_ids(*, payer: Payer) -> set[int]:
    """Invoices already on an interest note of this payer: a note claims their interest once."""
    noted: set[int] = set()
    rows = documents_of(tenant=payer.tenant, payer=payer).filter(kind=DocumentKind.INTEREST_NOTE)
    for ids in rows.values_list("invoice_ids", flat=True):
        noted.update(ids)
    return noted


def letter_content(
    *,
    tenant: Tenant,
    payer: Payer,
    kind: str,
    day: datetime.date,
    invoices: list[Invoice],
    compensation: dict[int, CompensationClaim],
) -> LetterContent:
    language = letter_language(payer)
    lines = invoice_lines(kind=kind, invoices=invoices, day=day, compensation=compensation)
    deadline = day + datetime.timedelta(days=settings.DOCUMENTS_PAYMENT_DAYS)
    stamp = letter_stamp(tenant=tenant)
    return LetterContent(
        kind=kind,
        language=language,
        day=day,
        date_line=long_date(day, language),
        reference=f"{'NO' if kind == DocumentKind.INTEREST_NOTE else 'WZ'}/{day:%Y/%m/%d}/"
        f"{payer.external_id}",
        creditor=party_of(tenant),
        payer=party_of(payer),
        payer_is_business=payer.kind == Payer.Kind.BUSINESS,
        iban=grouped_iban(tenant.iban),
        lines=tuple(lines),
        payment_days=settings.DOCUMENTS_PAYMENT_DAYS,
        deadline=deadline,
        deadline_line=long_date(deadline, language),
        transfer_title=transfer_title(lines, kind),
        contact=consultant_contact(tenant),
        operator_name=settings.OPERATOR_NAME,
        stamp_svg=stamp[0] if stamp else None,
        stamp_size_mm=stamp[1] if stamp else None,
        year_days=settings.INTEREST_YEAR_DAYS,
        rates_verified=all(line.interest_result.rates_verified for line in lines),
        totals=totals_of(lines),
    )


def documents_of(*, tenant: Tenant, payer: Payer | None = None) -> QuerySet[Document]:
    documents = Document.objects.for_tenant(tenant).select_related("payer")
    return documents.filter(payer=payer) if payer is not None else documents


def letter_batches_of(*, tenant: Tenant) -> QuerySet[LetterBatch]:
    return LetterBatch.objects.for_tenant(tenant)
