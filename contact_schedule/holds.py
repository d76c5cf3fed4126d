"""Pauses and stops of monitoring (`Hold` rows): set by hand, by outcomes, by escalation.

A hold is never deleted: it ends on its date (the planner then resumes by itself, no cron
needed) or is lifted, and the rows stay as the history of the payer's pauses.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from contact_schedule.models import CollectionCase, Hold, Outcome
from invoices.models import Invoice
from payers.models import Payer
from tenants.models import Tenant, User
from tenants.selectors import tenant_today


@transaction.atomic
def pause(
    *,
    tenant: Tenant,
    payer: Payer,
    reason: str,
    ends_on: datetime.date | None,
    invoice: Invoice | None = None,
    kind: str = Hold.Kind.MANUAL,
    starts_on: datetime.date | None = None,
    user: User | None = None,
    outcome: Outcome | None = None,
    case: CollectionCase | None = None,
) -> Hold:
    """Stop contact about `invoice` (or all of the payer's invoices) from `starts_on` (default
    today) to `ends_on` inclusive; a manual pause must end, the final kinds never do."""
    today = tenant_today(tenant)
    starts_on = starts_on or today
    errors: dict[str, str] = {}
    if kind not in Hold.Kind.values:
        errors["kind"] = _("Unknown kind of pause: %(kind)s.") % {"kind": kind}
    if not (reason or "").strip():
        errors["reason"] = _("Say why contact stops.")
    if payer.tenant_id != tenant.pk:
        errors["payer"] = _("The payer belongs to another client.")
    if invoice is not None and (invoice.tenant_id != tenant.pk or invoice.payer_id != payer.pk):
        errors["invoice"] = _("The invoice %(number)s is not this payer's.") % {
            "number": invoice.number
        }
    if kind == Hold.Kind.MANUAL and ends_on is None:
        errors["ends_on"] = _("A pause needs an end date; it resumes by itself then.")
    if ends_on is not None and ends_on < max(starts_on, today):
        errors["ends_on"] = _("The end date %(date)s has already passed.") % {"date": ends_on}
    if errors:
        raise ValidationError(errors)
    return Hold.objects.create(
        tenant=tenant,
        payer=payer,
        invoice=invoice,
        kind=kind,
        reason=reason.strip()[:300],
        starts_on=starts_on,
        ends_on=None if kind in Hold.FINAL_KINDS else ends_on,
        outcome=outcome,
        case=case,
        created_by=user,
    )


def pause_invoices(
    *,
    tenant: Tenant,
    payer: Payer,
    invoices: Iterable[Invoice],
    kind: str,
    reason: str,
    ends_on: datetime.date | None,
    outcome: Outcome | None = None,
    case: CollectionCase | None = None,
    user: User | None = None,
) -> list[Hold]:
    """One hold per invoice, same reason and end (an outcome or a case covering several)."""
    today = tenant_today(tenant)
    holds = [
        Hold(
            tenant=tenant,
            payer=payer,
            invoice=invoice,
            kind=kind,
            reason=reason[:300],
            starts_on=today,
            ends_on=ends_on,
            outcome=outcome,
            case=case,
            created_by=user,
        )
        for invoice in invoices
    ]
    return Hold.objects.bulk_create(holds)


@transaction.atomic
def stop_payer(
    *, tenant: Tenant, payer: Payer, kind: str, reason: str, user: User | None = None
) -> Hold:
    """Bankruptcy or death: no more contact with this payer, whatever its invoices."""
    if kind not in (Hold.Kind.BANKRUPTCY, Hold.Kind.DEATH):
        raise ValidationError({"kind": _("A payer is stopped for bankruptcy or death.")})
    return pause(tenant=tenant, payer=payer, reason=reason, ends_on=None, kind=kind, user=user)


def lift_holds(*, tenant: Tenant, holds_qs, user: User | None = None) -> int:
    """End holds now (a resolved dispute, a kept promise); returns how many were in force."""
    return holds_qs.filter(tenant=tenant, lifted_at__isnull=True).update(lifted_at=timezone.now())


@transaction.atomic
def lift_hold(*, tenant: Tenant, hold: Hold, user: User | None = None) -> Hold:
    """Resume contact before the hold's end (a pause set by mistake, a payer back in business)."""
    if hold.tenant_id != tenant.pk:
        raise ValidationError({"hold": _("This pause belongs to another client.")})
    if hold.kind == Hold.Kind.ESCALATED:
        raise ValidationError(
            {"hold": _("An escalated invoice is with the collection department; it stays there.")}
        )
    lift_holds(tenant=tenant, holds_qs=Hold.objects.filter(pk=hold.pk), user=user)
    if hold.kind == Hold.Kind.DISPUTE and hold.invoice_id is not None:
        # Resumed without the client's decision: owed again like any other invoice.
        end_dispute_status(tenant=tenant, invoice_ids=[hold.invoice_id])
    hold.refresh_from_db()
    return hold


def mark_disputed(*, tenant: Tenant, invoice_ids: Iterable[int]) -> None:
    """Disputed invoices say so in the client's ledger and API, and no payment demand lists
    them (`dunning.documents.content`); `settled_status` keeps the mark while money is owed."""
    Invoice.objects.for_tenant(tenant).filter(
        pk__in=list(invoice_ids), status__in=(Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)
    ).update(status=Invoice.Status.DISPUTED, updated_at=timezone.now())


def end_dispute_status(*, tenant: Tenant, invoice_ids: Iterable[int]) -> None:
    """Disputed invoices back to open or partly paid (by what is still owed), unless another
    dispute of theirs is still paused for the client's decision."""
    still_disputed = Hold.objects.for_tenant(tenant).filter(
        kind=Hold.Kind.DISPUTE, lifted_at__isnull=True, invoice_id=OuterRef("pk")
    )
    partly_paid = Q(outstanding_amount__lt=F("gross_amount"))
    Invoice.objects.for_tenant(tenant).filter(
        pk__in=list(invoice_ids), status=Invoice.Status.DISPUTED
    ).exclude(Exists(still_disputed)).update(
        status=Case(
            When(partly_paid, then=Value(Invoice.Status.PARTIALLY_PAID)),
            default=Value(Invoice.Status.OPEN),
        ),
        updated_at=timezone.now(),
    )
