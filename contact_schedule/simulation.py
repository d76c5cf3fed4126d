"""A what-if run of the contact schedule on a client's ledger, day by day, then thrown away.

Everything happens in one database transaction that is rolled back at the end, on the client's
real ledger as it is: the real planner (`plan_day`), the real daily checks (promises,
escalation), the real outcome and payment services. Nothing is copied, so the simulation sees
exactly the client's data, schedule and settings, and nothing it wrote survives (other sessions
never see it: it is never committed). The clock is the simulated day: `timezone.now()` is
replaced for the duration, so "today", promise validation and timestamps follow the simulation.

Payers are simulated with seeded randomness: a reached call ends in a payment, a promise (kept
or not), a dispute or nothing; other channels lead to a payment or nothing; the client accepts
or rejects each dispute after a few days. The same seed gives the same run.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from contact_schedule.escalation import (
    check_promises,
    escalate_overdue,
    escalate_unreachable,
    resolve_dispute,
)
from contact_schedule.models import Channel, CollectionCase, ContactTask, Outcome
from contact_schedule.outcomes import record_outcome
from contact_schedule.planner import plan_day
from invoices.models import ZERO, Invoice
from invoices.selectors import days_sales_outstanding
from invoices.services import record_payment
from tenants.models import Tenant

# The simulated moment of each day: noon, inside every channel's contact window.
SIMULATED_HOUR = 12
DISPUTE_DECISION_DAYS = 7
MAX_PAYMENT_DELAY_DAYS = 3
PROMISE_DAYS = (2, 10)


class SimulationRollback(Exception):
    """Raised inside the transaction to throw the simulated days away."""


@dataclass(frozen=True)
class Behaviour:
    """How simulated payers respond (probabilities, 0–1)."""

    reach_rate: float = 0.6  # a call is answered
    pay_rate: float = 0.25  # a contact is followed by payment in full
    promise_rate: float = 0.3  # an answered call (or a voice message) ends in a promise
    keep_rate: float = 0.7  # a promise is kept
    dispute_rate: float = 0.05  # an answered call ends in a dispute
    accept_rate: float = 0.5  # the client accepts a dispute (else: collection)

    def errors(self) -> list[str]:
        found = [
            f"{name} must be between 0 and 1, not {value}"
            for name, value in vars(self).items()
            if not 0 <= value <= 1
        ]
        if self.pay_rate + self.promise_rate + self.dispute_rate > 1:
            found.append("pay_rate + promise_rate + dispute_rate must not exceed 1")
        return found


@dataclass(frozen=True)
class PlannedContact:
    date: datetime.date
    payer_external_id: str
    channel: str
    step_offset: int
    invoice_external_ids: list[str]


@dataclass
class DaySummary:
    day: datetime.date
    contacts: Counter = field(default_factory=Counter)
    payer_ids: set = field(default_factory=set)
    payments: int = 0
    collected: Decimal = ZERO
    promises: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    disputes: int = 0
    cases: int = 0


@dataclass
class Totals:
    start: datetime.date
    days: int
    seed: int | None
    contacts_by_channel: Counter = field(default_factory=Counter)
    payers_contacted: set = field(default_factory=set)
    payments: int = 0
    amount_collected: Decimal = ZERO
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    disputes: int = 0
    disputes_accepted: int = 0
    disputes_rejected: int = 0
    escalations: int = 0
    invoices_escalated: int = 0
    amount_escalated: Decimal = ZERO
    dso_before: Decimal | None = None
    dso_after: Decimal | None = None

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "days": self.days,
            "seed": self.seed,
            "contacts": sum(self.contacts_by_channel.values()),
            "contacts_by_channel": dict(sorted(self.contacts_by_channel.items())),
            "payers_contacted": len(self.payers_contacted),
            "payments": self.payments,
            "amount_collected": str(self.amount_collected),
            "promises_made": self.promises_made,
            "promises_kept": self.promises_kept,
            "promises_broken": self.promises_broken,
            "disputes": self.disputes,
            "disputes_accepted": self.disputes_accepted,
            "disputes_rejected": self.disputes_rejected,
            "escalations": self.escalations,
            "invoices_escalated": self.invoices_escalated,
            "amount_escalated": str(self.amount_escalated),
            "dso_before": str(self.dso_before) if self.dso_before is not None else None,
            "dso_after": str(self.dso_after) if self.dso_after is not None else None,
        }


class _Clock:
    def __init__(self) -> None:
        self.moment = timezone.now()

    def now(self) -> datetime.datetime:
        return self.moment


def simulate(
    *,
    tenant: Tenant,
    start: datetime.date,
    days: int,
    behaviour: Behaviour = Behaviour(),
    seed: int | None = None,
    on_contact: Callable[[PlannedContact], None] = lambda contact: None,
    on_day: Callable[[DaySummary], None] = lambda summary: None,
) -> Totals:
    """Run `days` days from `start` on the client's ledger, then roll everything back."""
    run = _Run(tenant=tenant, behaviour=behaviour, rng=random.Random(seed))
    totals = Totals(start=start, days=days, seed=seed)
    clock = _Clock()
    try:
        with mock.patch("django.utils.timezone.now", clock.now), transaction.atomic():
            clock.moment = _moment(tenant, start)
            totals.dso_before = days_sales_outstanding(tenant=tenant, today=start)
            for offset in range(days):
                day = start + datetime.timedelta(days=offset)
                clock.moment = _moment(tenant, day)
                summary = run.day(day=day, on_contact=on_contact)
                _add(totals, summary)
                on_day(summary)
            # The same sales period as before, on what is still owed after the simulated days.
            totals.dso_after = days_sales_outstanding(tenant=tenant, today=start)
            totals.disputes_accepted = run.disputes_accepted
            totals.disputes_rejected = run.disputes_rejected
            escalated = CollectionCase.objects.for_tenant(tenant).filter(pk__in=run.case_ids)
            invoice_ids = set(escalated.values_list("invoices", flat=True)) - {None}
            totals.escalations = len(run.case_ids)
            totals.invoices_escalated = len(invoice_ids)
            totals.amount_escalated = Decimal(
                Invoice.objects.filter(pk__in=invoice_ids).aggregate(
                    total=Sum("outstanding_amount")
                )["total"]
                or ZERO
            ).quantize(Decimal("0.01"))
            raise SimulationRollback
    except SimulationRollback:
        pass
    return totals


def _moment(tenant: Tenant, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(SIMULATED_HOUR), tzinfo=tenant.zone)


def _add(totals: Totals, summary: DaySummary) -> None:
    totals.contacts_by_channel.update(summary.contacts)
    totals.payers_contacted |= summary.payer_ids
    totals.payments += summary.payments
    totals.amount_collected += summary.collected
    totals.promises_made += summary.promises
    totals.promises_kept += summary.promises_kept
    totals.promises_broken += summary.promises_broken
    totals.disputes += summary.disputes


class _Run:
    """The simulated payers and client: what each contact leads to, and when."""

    def __init__(self, *, tenant: Tenant, behaviour: Behaviour, rng: random.Random) -> None:
        self.tenant = tenant
        self.behaviour = behaviour
        self.rng = rng
        self.payments_due: dict[datetime.date, list[list[int]]] = defaultdict(list)
        self.decisions_due: dict[datetime.date, list[Outcome]] = defaultdict(list)
        self.case_ids: set[int] = set()
        self.disputes_accepted = self.disputes_rejected = 0

    def day(self, *, day: datetime.date, on_contact) -> DaySummary:
        summary = DaySummary(day=day)
        before = set(CollectionCase.objects.for_tenant(self.tenant).values_list("pk", flat=True))
        self._pay(day, summary)
        self._decide_disputes(day)
        summary.promises_kept, summary.promises_broken = check_promises(tenant=self.tenant, day=day)
        escalate_unreachable(tenant=self.tenant, day=day)
        escalate_overdue(tenant=self.tenant, day=day)
        # Rolled back at the end: it need not make the clients' real plans wait for it.
        plan_day(tenant=self.tenant, day=day, take_turns=False)
        tasks = (
            ContactTask.objects.for_tenant(self.tenant)
            .filter(planned_date=day, state=ContactTask.State.PLANNED)
            .select_related("payer", "step")
            .prefetch_related("covered__invoice")
            .order_by("payer__external_id", "pk")
        )
        for task in tasks:
            invoices = sorted((c.invoice for c in task.covered.all()), key=_invoice_order)
            on_contact(
                PlannedContact(
                    date=day,
                    payer_external_id=task.payer.external_id,
                    channel=task.channel,
                    step_offset=task.step.offset_days,
                    invoice_external_ids=[invoice.external_id for invoice in invoices],
                )
            )
            summary.contacts[task.channel] += 1
            summary.payer_ids.add(task.payer_id)
            self._respond(task=task, invoices=invoices, day=day, summary=summary)
        after = set(CollectionCase.objects.for_tenant(self.tenant).values_list("pk", flat=True))
        summary.cases = len(after - before)
        self.case_ids |= after - before
        return summary

    # --- the payer ---

    def _respond(self, *, task: ContactTask, invoices: list[Invoice], day, summary) -> None:
        b, roll = self.behaviour, self.rng.random()
        ids = [invoice.pk for invoice in invoices]
        if task.channel != Channel.CALL:
            ContactTask.objects.filter(pk=task.pk).update(state=ContactTask.State.DONE)
            if roll < b.pay_rate:
                self._pay_later(day, ids)
            elif task.channel == Channel.VOICE and roll < b.pay_rate + b.promise_rate:
                self._promise(task, invoices, day, summary, source=Outcome.Source.VOICE)
            return
        if self.rng.random() >= b.reach_rate:
            self._record(task, kind=Outcome.Kind.NO_ANSWER, source=Outcome.Source.STATUS)
        elif roll < b.pay_rate:
            self._record(task, kind=Outcome.Kind.REACHED, source=Outcome.Source.AGENT)
            self._pay_later(day, ids)
        elif roll < b.pay_rate + b.promise_rate:
            self._promise(task, invoices, day, summary, source=Outcome.Source.AGENT)
        elif roll < b.pay_rate + b.promise_rate + b.dispute_rate:
            category = self.rng.choice(Outcome.DisputeCategory.values)
            outcome = self._record(
                task,
                kind=Outcome.Kind.DISPUTE,
                source=Outcome.Source.AGENT,
                invoices=invoices[:1],
                dispute_category=category,
            )
            summary.disputes += 1
            self.decisions_due[day + datetime.timedelta(days=DISPUTE_DECISION_DAYS)].append(outcome)
        else:
            self._record(task, kind=Outcome.Kind.REACHED, source=Outcome.Source.AGENT)

    def _promise(self, task, invoices, day, summary, *, source: str) -> None:
        promised = day + datetime.timedelta(days=self.rng.randint(*PROMISE_DAYS))
        self._record(
            task,
            kind=Outcome.Kind.PROMISE,
            source=source,
            promised_date=promised,
            invoices=invoices,
        )
        summary.promises += 1
        if self.rng.random() < self.behaviour.keep_rate:
            self.payments_due[promised].append([i.pk for i in invoices])

    def _record(self, task: ContactTask, **fields) -> Outcome:
        return record_outcome(tenant=self.tenant, payer=task.payer, task=task, **fields)

    def _pay_later(self, day: datetime.date, invoice_ids: list[int]) -> None:
        delay = datetime.timedelta(days=self.rng.randint(0, MAX_PAYMENT_DELAY_DAYS))
        self.payments_due[day + delay].append(invoice_ids)

    def _pay(self, day: datetime.date, summary: DaySummary) -> None:
        """The payments due today, one transfer per invoice naming it (as a payer pays)."""
        for invoice_ids in self.payments_due.pop(day, []):
            invoices = (
                Invoice.objects.for_tenant(self.tenant)
                .filter(pk__in=invoice_ids, status__in=Invoice.UNSETTLED, outstanding_amount__gt=0)
                .select_related("payer")
                .order_by("due_date", "external_id")
            )
            for invoice in invoices:
                record_payment(
                    tenant=self.tenant,
                    payer=invoice.payer,
                    amount=invoice.outstanding_amount,
                    paid_on=day,
                    invoice=invoice,
                    reference=f"Symulacja {invoice.number}",
                )
                summary.payments += 1
                summary.collected += invoice.outstanding_amount

    # --- the client ---

    def _decide_disputes(self, day: datetime.date) -> None:
        for dispute in self.decisions_due.pop(day, []):
            accepted = self.rng.random() < self.behaviour.accept_rate
            resolve_dispute(tenant=self.tenant, dispute=dispute, accepted=accepted)
            if accepted:
                self.disputes_accepted += 1
            else:
                self.disputes_rejected += 1


def _invoice_order(invoice: Invoice) -> tuple:
    return (invoice.due_date, invoice.external_id)
