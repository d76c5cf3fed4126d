"""Writes: render a letter once per (payer, kind, day) and store it; a day's letter batch.

`render_document` is idempotent: a second call for the same (payer, kind, day) finds the stored
document and renders nothing. Rendering (slow) happens outside the transaction; the insert is
guarded by the unique constraint, so two workers racing on one letter store it once.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dunning import signals
from dunning.compensation import CompensationError
from dunning.documents import selectors
from dunning.documents.content import demanded_invoices, late_paid_invoices
from dunning.documents.rendering import render_html, render_pdf
from dunning.interest import InterestError
from dunning.models import CompensationClaim, Document, DocumentKind, LetterBatch
from dunning.services import claim_compensations
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant

logger = logging.getLogger(__name__)


class DocumentError(ValueError):
    """This letter cannot be made; the message says which payer and why."""


@dataclass(frozen=True)
class LetterJob:
    """One letter to render: plain data, so it travels as a Celery argument (JSON)."""

    payer_id: int
    kind: str
    invoice_ids: list[int] | None = None
    contact_task_id: int | None = None
    schedule_step_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> LetterJob:
        return cls(**data)


def _invoices_for(
    *, payer: Payer, kind: str, day: datetime.date, invoice_ids: list[int] | None
) -> list[Invoice]:
    if kind == DocumentKind.INTEREST_NOTE:
        return late_paid_invoices(
            payer=payer,
            day=day,
            invoice_ids=invoice_ids,
            already_noted=selectors.noted_invoice_ids(payer=payer),
        )
    return demanded_invoices(payer=payer, day=day, invoice_ids=invoice_ids)


def _compensation_claims(
    *, payer: Payer, invoices: list[Invoice], day: datetime.date
) -> dict[int, CompensationClaim]:
    """Business payers owe the compensation (art. 10 of the 2013 act), once per invoice: the
    first letter claims it, later letters restate the same claim. Invoices it is not due for
    (in another currency, not yet due) are listed without it."""
    if payer.kind != Payer.Kind.BUSINESS:
        return {}
    try:
        return claim_compensations(invoices=invoices, claimed_on=day, claimable_only=True)
    except CompensationError as error:
        raise DocumentError(
            _("Invoice %(number)s: the compensation cannot be computed: %(error)s")
            % {"number": error.invoice_number, "error": error}
        ) from error


def render_document(
    *,
    tenant: Tenant,
    payer: Payer,
    kind: str,
    day: datetime.date,
    invoice_ids: list[int] | None = None,
    contact_task_id: int | None = None,
    schedule_step_id: int | None = None,
    letter_batch: LetterBatch | None = None,
) -> tuple[Document, bool]:
    """The payer's letter of `kind` dated `day`: (document, True) when rendered now, (the stored
    one, False) when it exists. Raises DocumentError when there is nothing to put in it."""
    if payer.tenant_id != tenant.pk:
        raise DocumentError(_("The payer belongs to another client."))
    payer.tenant = tenant  # the one in hand: reads below need not load it again
    if kind not in DocumentKind.values:
        raise DocumentError(
            _("Unknown document kind %(kind)r; expected one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(DocumentKind.values)}
        )
    existing = _stored(tenant=tenant, payer=payer, kind=kind, day=day)
    if existing is not None:
        _announce_issued(existing, contact_task_id=contact_task_id)
        return existing, False
    # The compensation claims stand only with the letter that makes them: a letter that fails
    # (no IBAN, nothing to demand, a render error) leaves no claim dated with it.
    with transaction.atomic():
        invoices = _invoices_for(payer=payer, kind=kind, day=day, invoice_ids=invoice_ids)
        compensation = _compensation_claims(payer=payer, invoices=invoices, day=day)
        try:
            content = selectors.letter_content(
                tenant=tenant,
                payer=payer,
                kind=kind,
                day=day,
                invoices=invoices,
                compensation=compensation,
            )
        except InterestError as error:
            raise DocumentError(
                _("Payer %(payer)s: interest cannot be computed: %(error)s")
                % {"payer": payer.external_id, "error": error}
            ) from error
        if not content.lines:
            raise DocumentError(_nothing_to_say(payer=payer, kind=kind, day=day))
        if not tenant.iban:
            raise DocumentError(
                _("%(client)s has no bank account (IBAN): a letter must say where to pay.")
                % {"client": tenant.name}
            )
        template = selectors.letter_template(tenant=tenant, kind=kind, language=content.language)
        pdf = render_pdf(render_html(content, template))
        total = content.main_total
        document = Document(
            tenant=tenant,
            payer=payer,
            kind=kind,
            document_date=day,
            language=content.language,
            contact_task_id=contact_task_id,
            schedule_step_id=schedule_step_id,
            letter_batch=letter_batch,
            invoice_ids=[invoice.pk for invoice in invoices],
            total_amount=total.total if total else 0,
            currency=total.currency if total else "PLN",
            sha256=pdf.sha256,
            size=len(pdf.content),
            pages=pdf.pages,
        )
        name = f"{slugify(kind)}-{slugify(payer.external_id) or payer.pk}-{day.isoformat()}.pdf"
        document.file.save(name, ContentFile(pdf.content), save=False)
        try:
            with transaction.atomic():
                document.save()
                _announce_issued(document, contact_task_id=contact_task_id)
        except IntegrityError:
            # Another worker stored this letter meanwhile: its row is the document; ours goes.
            document.file.delete(save=False)
            stored = _stored(tenant=tenant, payer=payer, kind=kind, day=day)
            if stored is None:
                raise
            _announce_issued(stored, contact_task_id=contact_task_id)
            return stored, False
    return document, True


def _announce_issued(document: Document, *, contact_task_id: int | None) -> None:
    """Tell the contact schedule its letter task is done (in the transaction that stores it)."""
    if contact_task_id is None:
        return
    signals.letter_issued.send(
        sender=__name__,
        tenant_id=document.tenant_id,
        payer_id=document.payer_id,
        contact_task_id=contact_task_id,
        document_id=document.pk,
        kind=document.kind,
    )


def _stored(*, tenant: Tenant, payer: Payer, kind: str, day: datetime.date) -> Document | None:
    return (
        Document.objects.for_tenant(tenant)
        .filter(payer=payer, kind=kind, document_date=day)
        .first()
    )


def _nothing_to_say(*, payer: Payer, kind: str, day: datetime.date) -> str:
    if kind == DocumentKind.INTEREST_NOTE:
        return _(
            "Payer %(payer)s has no invoice paid late with interest not yet noted by %(day)s."
        ) % {"payer": payer.external_id, "day": day}
    return _("Payer %(payer)s has no overdue unpaid invoice on %(day)s.") % {
        "payer": payer.external_id,
        "day": day,
    }


# --- A day's letters -----------------------------------------------------------------------------


def start_letter_batch(*, tenant: Tenant, day: datetime.date, letters: int) -> LetterBatch:
    """The client's batch of `day`, its counters set for `letters` letters (a re-run resets them;
    letters stored by the earlier run then count as rendered before)."""
    with transaction.atomic():
        batch, _created = LetterBatch.objects.select_for_update().get_or_create(
            tenant=tenant, day=day
        )
        batch.total = letters
        batch.rendered = batch.already_rendered = batch.failed = 0
        batch.errors = []
        batch.finished_at = timezone.now() if letters == 0 else None
        batch.save()
    return batch


def render_batch_letter(*, batch: LetterBatch, job: LetterJob) -> Document | None:
    """Render one letter of a batch and count it; a failure is counted with its reason, never
    raised, so the batch always finishes."""
    tenant = batch.tenant
    error = ""
    document, created = None, False
    try:
        payer = Payer.objects.for_tenant(tenant).get(pk=job.payer_id)
        document, created = render_document(
            tenant=tenant,
            payer=payer,
            kind=job.kind,
            day=batch.day,
            invoice_ids=job.invoice_ids,
            contact_task_id=job.contact_task_id,
            schedule_step_id=job.schedule_step_id,
            letter_batch=batch,
        )
    except Payer.DoesNotExist:
        error = _("No payer %(id)s of this client.") % {"id": job.payer_id}
    except DocumentError as failure:
        error = str(failure)
    except Exception as failure:  # noqa: BLE001 (a crash must still be counted, or the batch hangs)
        logger.exception("Letter of payer %s (%s) failed", job.payer_id, job.kind)
        error = _("Rendering failed: %(error)s") % {"error": f"{type(failure).__name__}: {failure}"}
    _count(batch=batch, job=job, created=created, error=error)
    return document


def _count(*, batch: LetterBatch, job: LetterJob, created: bool, error: str) -> None:
    with transaction.atomic():
        if error:
            locked = LetterBatch.objects.select_for_update().get(pk=batch.pk)
            locked.errors = [*locked.errors, {**job.as_dict(), "error": error}]
            locked.failed += 1
            locked.save(update_fields=["errors", "failed"])
        else:
            field = "rendered" if created else "already_rendered"
            LetterBatch.objects.filter(pk=batch.pk).update(**{field: F(field) + 1})
        LetterBatch.objects.filter(
            pk=batch.pk,
            finished_at__isnull=True,
            total__lte=F("rendered") + F("already_rendered") + F("failed"),
        ).update(finished_at=timezone.now())


def render_letters(
    *,
    tenant: Tenant,
    day: datetime.date,
    jobs: Sequence[LetterJob],
    enqueue: bool = True,
    on_progress: Callable[[LetterBatch], None] | None = None,
) -> LetterBatch:
    """A day's letters: on the `documents` queue, one task per letter (in parallel across the
    workers), or here, one after the other, reporting progress after each."""
    batch = start_letter_batch(tenant=tenant, day=day, letters=len(jobs))
    if enqueue:
        from dunning.documents.tasks import enqueue_letters

        payload = [job.as_dict() for job in jobs]
        transaction.on_commit(lambda: enqueue_letters(batch.pk, payload))
        return batch
    for job in jobs:
        render_batch_letter(batch=batch, job=job)
        if on_progress is not None:
            batch.refresh_from_db()
            on_progress(batch)
    batch.refresh_from_db()
    return batch
