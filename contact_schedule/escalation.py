"""What happens after the fact: promises checked, disputes decided, cases handed to collection.

`run_daily_checks` is the day's work for one client (beat runs it per tenant): promises whose
grace has passed are found kept or broken, and invoices past the schedule's escalation step
(+90 by default) go to collection. Every step is idempotent: a promise is decided once (a
conditional update), an escalated invoice carries an escalation hold and is never picked again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from contact_schedule import holds
from contact_schedule.models import Channel, CollectionCase, Hold, Outcome
from contact_schedule.selectors import (
    holds_in_force,
    monitored_invoices,
    outcome_rules_for,
    schedule_version_for,
)
from contact_schedule.stages import FROM_DUE_DATE, FROM_HANDOVER
from invoices.models import ZERO, Invoice, PaymentAllocation
from invoices.services import cancel_invoices
from payers.models import Payer, PayerContact
from tenants.models import Tenant, User
from tenants.selectors import tenant_today

SETTLED = (Invoice.Status.PAID, Invoice.Status.CANCELLED)


@dataclass(frozen=True)
class DailyChecks:
    day: datetime.date
    promises_kept: int
    promises_broken: int
    cases_created: int


# --- escalation ---------------------------------------------------------------------------------


@transaction.atomic
def escalate(
    *,
    tenant: Tenant,
    payer: Payer,
    reason: str,
    invoices: Sequence[Invoice] | None = None,
    note: str = "",
    user: User | None = None,
    day: datetime.date | None = None,
) -> CollectionCase | None:
    """Hand `invoices` over to collection: the invoices are marked escalated and monitoring ends
    for them.

    Without `invoices` (an early trigger: broken promises, no contact data), the payer's invoices
    that are overdue and monitored today: not those not yet due, nor those paused (a dispute the
    client has still to decide, a promise pending, a pause the client set). Invoices already
    escalated are left out; None when nothing is left to hand over. Until a case is exported, the
    payer's later invoices escalated for the same reason join it: the collection department gets
    one case per payer, not one per day.
    """
    if reason not in CollectionCase.Reason.values:
        raise ValidationError({"reason": _("Unknown escalation reason: %(r)s.") % {"r": reason}})
    if payer.tenant_id != tenant.pk:
        raise ValidationError({"payer": _("The payer belongs to another client.")})
    if invoices is None:
        today = day or tenant_today(tenant)
        candidates = monitored_invoices(tenant=tenant, day=today).filter(
            payer=payer, due_date__lt=today
        )
    else:
        candidates = Invoice.objects.for_tenant(tenant).filter(
            payer=payer,
            status__in=Invoice.UNSETTLED,
            pk__in=[invoice.pk for invoice in invoices],
        )
    escalated = Hold.objects.for_tenant(tenant).filter(
        kind=Hold.Kind.ESCALATED, lifted_at__isnull=True, invoice__isnull=False
    )
    chosen = list(
        candidates.exclude(pk__in=escalated.values("invoice_id")).order_by("due_date", "id")
    )
    if not chosen:
        return None
    case = (
        CollectionCase.objects.for_tenant(tenant)
        .select_for_update()
        .filter(payer=payer, reason=reason, exported_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    ) or CollectionCase.objects.create(tenant=tenant, payer=payer, reason=reason, note=note)
    case.invoices.add(*chosen)
    # Marked for the client's ledger and API; `settled_status` keeps it while money is owed.
    Invoice.objects.for_tenant(tenant).filter(pk__in=[invoice.pk for invoice in chosen]).update(
        status=Invoice.Status.ESCALATED, updated_at=timezone.now()
    )
    holds.pause_invoices(
        tenant=tenant,
        payer=payer,
        invoices=chosen,
        kind=Hold.Kind.ESCALATED,
        reason=case.get_reason_display(),
        ends_on=None,
        case=case,
        user=user,
    )
    return case


def escalation_offsets(*, tenant: Tenant) -> dict[str, tuple[int, str]]:
    """Per monitoring mode, the offset in days of its schedule's escalation step, and what it
    counts from: the due date, or (an express schedule) the hand-over day, as the planner does."""
    offsets = {}
    for mode in Invoice.MonitoringMode.values:
        version = schedule_version_for(tenant=tenant, purpose=mode)
        if version is None:
            continue
        steps = [step for step in version.steps.all() if step.channel == Channel.ESCALATION]
        if steps:
            express = version.template.purpose == Invoice.MonitoringMode.SINGLE
            counted_from = FROM_HANDOVER if express else FROM_DUE_DATE
            offsets[mode] = (min(step.offset_days for step in steps), counted_from)
    return offsets


def escalate_overdue(*, tenant: Tenant, day: datetime.date) -> list[CollectionCase]:
    """Monitored invoices past their schedule's escalation step go to collection, one case per
    payer. Paused invoices wait for their pause to end (a pending promise is given its chance)."""
    by_payer: dict[int, list[Invoice]] = defaultdict(list)
    for mode, (offset, counted_from) in escalation_offsets(tenant=tenant).items():
        last_day = day - datetime.timedelta(days=offset)
        if counted_from == FROM_HANDOVER:  # handed over on `last_day` or before, local time
            next_midnight = datetime.datetime.combine(
                last_day + datetime.timedelta(days=1), datetime.time(), tzinfo=tenant.zone
            )
            reached = Q(created_at__lt=next_midnight)
        else:
            reached = Q(due_date__lte=last_day)
        overdue = monitored_invoices(tenant=tenant, day=day).filter(reached, monitoring_mode=mode)
        for invoice in overdue.select_related("payer").order_by("payer_id", "due_date"):
            by_payer[invoice.payer_id].append(invoice)
    cases = []
    for invoices in by_payer.values():
        case = escalate(
            tenant=tenant,
            payer=invoices[0].payer,
            reason=CollectionCase.Reason.OVERDUE_90,
            invoices=invoices,
        )
        if case is not None:
            cases.append(case)
    return cases


# --- promises -----------------------------------------------------------------------------------


def _promise_kept(promise: Outcome) -> bool:
    """All its invoices settled, or the promised amount paid on them since the promise."""
    invoices = list(promise.invoices.all())
    if invoices and all(invoice.status in SETTLED for invoice in invoices):
        return True
    if promise.promised_amount is None:
        return False
    since = timezone.localtime(promise.created_at, promise.tenant.zone).date()
    paid = (
        PaymentAllocation.objects.for_tenant(promise.tenant)
        .filter(invoice__in=invoices, payment__paid_on__gte=since)
        .aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return Decimal(paid) >= promise.promised_amount


def check_promises(*, tenant: Tenant, day: datetime.date) -> tuple[int, int]:
    """Decide pending promises: kept as soon as paid; broken once the grace days have passed
    unpaid (the pause has then ended, so contact resumes), and the broken promise is flagged.
    Returns (kept, broken)."""
    grace = outcome_rules_for(tenant=tenant).promise_grace_days
    pending = (
        Outcome.objects.for_tenant(tenant)
        .filter(kind=Outcome.Kind.PROMISE, promise_state=Outcome.PromiseState.PENDING)
        .select_related("tenant", "payer")
        .prefetch_related("invoices")
        .order_by("promised_date", "id")
    )
    kept = broken = 0
    for promise in pending:
        if _promise_kept(promise):
            kept += _decide(promise=promise, state=Outcome.PromiseState.KEPT)
        elif day > promise.promised_date + datetime.timedelta(days=grace):
            broken += _decide(promise=promise, state=Outcome.PromiseState.BROKEN)
    return kept, broken


@transaction.atomic
def _decide(*, promise: Outcome, state: str) -> int:
    tenant = promise.tenant
    # Conditional update: a promise is decided once, however many checks run.
    decided = Outcome.objects.filter(
        pk=promise.pk, promise_state=Outcome.PromiseState.PENDING
    ).update(promise_state=state, promise_checked_at=timezone.now())
    if not decided:
        return 0
    holds.lift_holds(tenant=tenant, holds_qs=promise.holds.all())
    if state == Outcome.PromiseState.BROKEN:
        _escalate_after_broken_promises(tenant=tenant, payer=promise.payer)
    return 1


def _escalate_after_broken_promises(*, tenant: Tenant, payer: Payer) -> None:
    limit = outcome_rules_for(tenant=tenant).broken_promises_to_escalate
    broken = Outcome.objects.for_tenant(tenant).filter(
        payer=payer, kind=Outcome.Kind.PROMISE, promise_state=Outcome.PromiseState.BROKEN
    )
    if broken.count() >= limit:
        escalate(
            tenant=tenant,
            payer=payer,
            reason=CollectionCase.Reason.BROKEN_PROMISES,
            note=_("%(count)s broken promises to pay.") % {"count": broken.count()},
        )


# --- disputes -----------------------------------------------------------------------------------


@transaction.atomic
def resolve_dispute(
    *, tenant: Tenant, dispute: Outcome, accepted: bool, user: User | None = None, note: str = ""
) -> Outcome:
    """The client's answer to a sales-process disturbance.

    Accepted: the payer was right, the invoices are cancelled (credited). Rejected: the
    invoices go to collection. Either way the dispute pause ends.
    """
    if dispute.tenant_id != tenant.pk or dispute.kind != Outcome.Kind.DISPUTE:
        raise ValidationError({"dispute": _("No such dispute for this client.")})
    state = Outcome.DisputeState.ACCEPTED if accepted else Outcome.DisputeState.REJECTED
    decided = Outcome.objects.filter(pk=dispute.pk, dispute_state=Outcome.DisputeState.OPEN).update(
        dispute_state=state, dispute_resolved_at=timezone.now()
    )
    if not decided:
        raise ValidationError({"dispute": _("This dispute has already been decided.")})
    invoices = list(dispute.invoices.all())
    holds.lift_holds(tenant=tenant, holds_qs=dispute.holds.all(), user=user)
    if accepted:
        reason = note or _("Dispute accepted by the client: %(category)s") % {
            "category": dispute.get_dispute_category_display()
        }
        cancel_invoices(tenant=tenant, invoice_ids=[i.pk for i in invoices], reason=reason)
    else:
        escalate(
            tenant=tenant,
            payer=dispute.payer,
            reason=CollectionCase.Reason.DISPUTE_REJECTED,
            invoices=invoices,
            note=note,
            user=user,
        )
    dispute.refresh_from_db()
    return dispute


# --- the day's checks ---------------------------------------------------------------------------


def escalate_unreachable(*, tenant: Tenant, day: datetime.date) -> list[CollectionCase]:
    """Payers with overdue monitored invoices and no valid contact data — no phone number or
    e-mail address that is neither marked wrong nor objected to — go to collection: monitoring
    cannot reach them (an early trigger of the issue; a wrong number that was the payer's last
    contact triggers it at once, `outcomes._wrong_number`)."""
    usable = PayerContact.objects.for_tenant(tenant).filter(
        payer=OuterRef("payer_id"), is_wrong=False, opted_out_at__isnull=True
    )
    unreachable = (
        monitored_invoices(tenant=tenant, day=day)
        .filter(due_date__lt=day)
        .exclude(Exists(usable))
        .values("payer_id")
    )
    cases = []
    for payer in Payer.objects.for_tenant(tenant).filter(pk__in=unreachable).order_by("pk"):
        case = escalate(
            tenant=tenant,
            payer=payer,
            reason=CollectionCase.Reason.NO_CONTACT_DATA,
            note=_("No phone number or e-mail address to contact the payer."),
            day=day,
        )
        if case is not None:
            cases.append(case)
    return cases


def run_daily_checks(*, tenant: Tenant, day: datetime.date | None = None) -> DailyChecks:
    """The client's daily outcome work (beat, per tenant): promises, then escalation of payers
    out of reach and of invoices past the schedule's escalation step."""
    day = day or tenant_today(tenant)
    kept, broken = check_promises(tenant=tenant, day=day)
    before = CollectionCase.objects.for_tenant(tenant).count()
    escalate_unreachable(tenant=tenant, day=day)
    escalate_overdue(tenant=tenant, day=day)
    created = CollectionCase.objects.for_tenant(tenant).count() - before
    return DailyChecks(day=day, promises_kept=kept, promises_broken=broken, cases_created=created)


def escalated_invoice_ids(*, tenant: Tenant, day: datetime.date) -> set[int]:
    """Ids of the client's invoices with the collection department (for reports)."""
    return set(
        holds_in_force(tenant=tenant, day=day)
        .filter(kind=Hold.Kind.ESCALATED)
        .values_list("invoice_id", flat=True)
    )
