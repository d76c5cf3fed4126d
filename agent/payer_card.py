"""The payer card: who the payer is, what it owes this client (with interest), what happened so far
and what to say. One read, a fixed number of queries plus one interest computation per overdue
invoice (`dunning.selectors.invoices_interest`, the batch form of `invoice_interest`); measured
in bench/agent_bench.py.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agent.models import CallClaim, CallScript
from contact_schedule.models import ContactTask, Outcome
from contact_schedule.selectors import outcomes_of
from dunning.models import Message
from dunning.selectors import invoices_interest
from invoices.models import ZERO, Invoice, Payment
from invoices.selectors import unsettled_invoices
from invoices.templatetags.money import money, money_per_currency
from payers.models import Payer, PayerContact
from payers.selectors import contacts_of
from tenants.models import Tenant, User
from tenants.selectors import tenant_today

# Enough for the card to stay fast on a payer with years of history; older items are one click
# away in the client's portal.
TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class InvoiceLine:
    invoice: Invoice
    days_overdue: int
    interest: Decimal | None  # None: not computable (no rate for the period)


@dataclass(frozen=True)
class TimelineItem:
    at: datetime.datetime
    kind: str  # css hook: task, call, payment, outcome, message, document
    title: str
    detail: str = ""


@dataclass
class PayerCard:
    tenant: Tenant
    payer: Payer
    contacts: list[PayerContact]
    invoices: list[InvoiceLine]
    timeline: list[TimelineItem]
    stage: str
    script_title: str
    script: str
    # What is owed and the interest to date, a sum per currency: {"PLN": …, "EUR": …}.
    total_outstanding: dict[str, Decimal] = field(default_factory=dict)
    total_interest: dict[str, Decimal] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def outstanding_text(self) -> str:
        return money_per_currency(self.total_outstanding)

    @property
    def interest_text(self) -> str:
        return money_per_currency({c: a for c, a in self.total_interest.items() if a})

    @property
    def phones(self) -> list[PayerContact]:
        return [c for c in self.contacts if c.kind == PayerContact.Kind.PHONE]

    @property
    def usable_phones(self) -> list[PayerContact]:
        return [c for c in self.phones if c.is_usable]


def open_invoices_of(*, tenant: Tenant, payer: Payer) -> QuerySet[Invoice]:
    """Every invoice of the payer at this client with money still owed, oldest due first."""
    return unsettled_invoices(tenant=tenant).filter(payer=payer).order_by("due_date", "id")


def invoice_lines(*, tenant: Tenant, payer: Payer, today: datetime.date) -> list[InvoiceLine]:
    invoices = list(open_invoices_of(tenant=tenant, payer=payer))
    for invoice in invoices:
        invoice.payer = payer  # the interest kind follows the payer: no query per invoice
    overdue = [invoice for invoice in invoices if invoice.due_date < today]
    results = invoices_interest(tenant=tenant, invoices=overdue, until=today)
    lines = []
    for invoice in invoices:
        days = (today - invoice.due_date).days
        if days > 0:
            result = results[invoice.pk]  # None: the rate table does not reach that far back
            interest = result.interest_outstanding if result is not None else None
        else:
            interest = ZERO
        lines.append(InvoiceLine(invoice, max(days, 0), interest))
    return lines


def _at_noon(day: datetime.date, tenant: Tenant) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=tenant.zone)


def _labels(model, field: str) -> dict[str, str]:
    return {str(key): str(label) for key, label in model._meta.get_field(field).choices}


def timeline_of(*, tenant: Tenant, payer: Payer) -> list[TimelineItem]:
    """Contact tasks, messages and calls, payments and outcomes of the payer, newest first."""
    # Display names looked up once: get_FOO_display() per row costs more than the row itself.
    channel = {
        str(key): str(label) for key, label in ContactTask._meta.get_field("channel").choices
    }
    state = {str(key): str(label) for key, label in ContactTask.State.choices}
    message_channel = {
        str(key): str(label) for key, label in Message._meta.get_field("channel").choices
    }
    message_status = {str(key): str(label) for key, label in Message.Status.choices}
    items = [
        TimelineItem(
            task.window_start,
            "task",
            f"{channel.get(task.channel, task.channel)}: {state.get(task.state, task.state)}",
            _("day %(offset)+d of the schedule") % {"offset": task.step.offset_days},
        )
        for task in ContactTask.objects.for_tenant(tenant)
        .filter(payer=payer)
        .select_related("step")
        .order_by("-planned_date")[:TIMELINE_LIMIT]
    ]
    items += [
        TimelineItem(
            _at_noon(payment.paid_on, tenant),
            "payment",
            _("Payment %(amount)s") % {"amount": money(payment.amount, payment.currency)},
            payment.reference,
        )
        for payment in Payment.objects.for_tenant(tenant)
        .filter(payer=payer)
        .order_by("-paid_on", "-id")[:TIMELINE_LIMIT]
    ]
    items += [
        TimelineItem(
            claim.call_started_at or claim.claimed_at,
            "call",
            _("Call by %(consultant)s") % {"consultant": claim.consultant},
            _("%(seconds)s s talk time") % {"seconds": claim.talk_seconds},
        )
        for claim in CallClaim.objects.for_tenant(tenant)
        .filter(payer=payer, call_started_at__isnull=False)
        .select_related("consultant")
        .order_by("-claimed_at")[:TIMELINE_LIMIT]
    ]
    items += [
        TimelineItem(
            message.sent_at or message.created_at,
            "message",
            f"{message_channel.get(message.channel, message.channel)} · "
            f"{message_status.get(message.status, message.status)}",
            message.recipient
            if message.channel == "call"
            else f"{message.recipient}: {message.subject or message.body[:120]}",
        )
        for message in Message.objects.for_tenant(tenant)
        .filter(payer=payer)
        .order_by("-created_at")[:TIMELINE_LIMIT]
    ]
    names = _outcome_names()
    items += [
        _outcome_item(outcome, tenant.zone, names)
        for outcome in outcomes_of(tenant=tenant, payer=payer)[:TIMELINE_LIMIT]
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:TIMELINE_LIMIT]


def _outcome_names() -> dict[str, dict[str, str]]:
    return {
        field: _labels(Outcome, field)
        for field in ("kind", "source", "promise_state", "dispute_category")
    }


def _outcome_item(outcome: Outcome, zone, names: dict[str, dict[str, str]]) -> TimelineItem:
    facts = []
    if outcome.promised_date:
        facts.append(
            _("to pay %(amount)s by %(date)s")
            % {
                "amount": money(outcome.promised_amount) if outcome.promised_amount else "",
                "date": outcome.promised_date.strftime("%d.%m.%Y"),
            }
        )
    if outcome.promise_state:
        facts.append(names["promise_state"].get(outcome.promise_state, outcome.promise_state))
    if outcome.dispute_category:
        facts.append(names["dispute_category"].get(outcome.dispute_category, ""))
    if outcome.callback_at:
        facts.append(timezone.localtime(outcome.callback_at, zone).strftime("%d.%m %H:%M"))
    facts += [
        value for value in (outcome.contact_value, outcome.description, outcome.note) if value
    ]
    who = f" · {outcome.user}" if outcome.user else f" · {outcome.get_source_display()}"
    return TimelineItem(
        outcome.created_at, "outcome", f"{outcome.get_kind_display()}{who}", " · ".join(facts)
    )


def script_for(*, tenant: Tenant, stage: str) -> CallScript | None:
    """The client's own script for the stage, else the operator's default."""
    return (
        CallScript.objects.for_tenant(tenant).filter(stage=stage).first()
        or CallScript.objects.operator_defaults().filter(stage=stage).first()
    )


PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_script(text: str, values: dict[str, str]) -> str:
    """Replace the known {placeholders}; an unknown one stays as written for the editor to see."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def stage_of(task: ContactTask | None, lines: list[InvoiceLine]) -> str:
    if task is not None:
        pre_due = task.step.offset_days < 0
    else:
        pre_due = not any(line.days_overdue for line in lines)
    return CallScript.Stage.PRE_DUE if pre_due else CallScript.Stage.OVERDUE


def sums_per_currency(amounts: list[tuple[Decimal | None, str]]) -> dict[str, Decimal]:
    """(amount, currency) pairs added up per currency, the largest first: amounts in PLN and EUR
    are never added into one figure."""
    sums: dict[str, Decimal] = {}
    for amount, currency in amounts:
        sums[currency] = sums.get(currency, ZERO) + (amount or ZERO)
    return dict(sorted(sums.items(), key=lambda item: -item[1]))


def _polish_money(sums: dict[str, Decimal]) -> str:
    """The scripts are Polish texts read to the payer: their amounts are Polish whatever the UI."""
    with translation.override("pl"):
        return money_per_currency(sums) or money(ZERO)


def payer_card(
    *,
    tenant: Tenant,
    payer: Payer,
    task: ContactTask | None = None,
    consultant: User | None = None,
    today: datetime.date | None = None,
) -> PayerCard:
    today = today or tenant_today(tenant)
    lines = invoice_lines(tenant=tenant, payer=payer, today=today)
    stage = stage_of(task, lines)
    script = script_for(tenant=tenant, stage=stage)
    outstanding = sums_per_currency(
        [(line.invoice.outstanding_amount, line.invoice.currency) for line in lines]
    )
    interest = sums_per_currency([(line.interest, line.invoice.currency) for line in lines])
    oldest = lines[0].invoice if lines else None
    values = {
        "payer": payer.name,
        "client": tenant.name,
        "amount": _polish_money(outstanding),
        "invoices": ", ".join(line.invoice.number for line in lines[:5]),
        "due_date": oldest.due_date.strftime("%d.%m.%Y") if oldest else "",
        "days_overdue": str(lines[0].days_overdue) if lines else "0",
        "consultant": consultant.get_full_name() if consultant else "",
    }
    return PayerCard(
        tenant=tenant,
        payer=payer,
        contacts=list(contacts_of(tenant=tenant, payer=payer)),
        invoices=lines,
        timeline=timeline_of(tenant=tenant, payer=payer),
        stage=stage,
        script_title=script.title if script else "",
        script=fill_script(script.text, values) if script else "",
        total_outstanding=outstanding,
        total_interest=interest,
    )
