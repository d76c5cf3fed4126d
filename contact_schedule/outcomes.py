"""Outcomes of contacts and what each does to the schedule: `record_outcome`, one entry point.

The agent screen, inbound SMS, voice keypresses and status callbacks all record through it. It
validates everything first (a `ValidationError` with a field dict, nothing written), writes the
`Outcome`, closes the task when the outcome is final, then applies the one effect of its kind
(`EFFECTS`): a promise pauses the invoices until the promised date plus grace days, a dispute
pauses the invoice and flags it to the client, and so on.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contact_schedule import escalation, holds
from contact_schedule.models import Channel, CollectionCase, ContactTask, Hold, Outcome
from contact_schedule.selectors import monitored_invoices, outcome_rules_for
from contact_schedule.windows import NoContactWindow, window_at_or_after
from invoices.models import Invoice
from payers.models import Payer, PayerContact
from payers.phones import normalize_phone
from tenants.models import Tenant, User
from tenants.selectors import tenant_today

# Outcomes after which the task's attempt is over but its contact still owed: the task stays open.
RETRY_KINDS = (Outcome.Kind.NO_ANSWER, Outcome.Kind.VOICEMAIL)
# Outcomes in which the payer answered (a step "only if the previous step got no response" skips).
RESPONSE_KINDS = (
    Outcome.Kind.REACHED,
    Outcome.Kind.PROMISE,
    Outcome.Kind.DISPUTE,
    Outcome.Kind.ALREADY_PAID,
    Outcome.Kind.CALLBACK,
    Outcome.Kind.REFUSED,
)
# Outcomes about money owed: they need invoices on which money is still expected.
INVOICE_KINDS = (Outcome.Kind.PROMISE, Outcome.Kind.DISPUTE, Outcome.Kind.ALREADY_PAID)
# A promise further away than this is not a promise but a payment plan: the client decides it.
MAX_PROMISE_DAYS = 90


def record_outcome(
    *,
    tenant: Tenant,
    payer: Payer,
    kind: str,
    source: str,
    task: ContactTask | None = None,
    invoices: Sequence[Invoice] = (),
    promised_date: datetime.date | None = None,
    promised_amount: Decimal | None = None,
    dispute_category: str = "",
    description: str = "",
    claimed_paid_date: datetime.date | None = None,
    callback_at: datetime.datetime | None = None,
    contact_value: str = "",
    user: User | None = None,
    note: str = "",
    message_id: int | None = None,
) -> Outcome:
    """Record what came of a contact with `payer` and apply its effect on the schedule.

    `invoices` empty means the task's covered invoices, else the payer's monitored ones. A
    `refused` outcome with a `contact_value` is an objection to that number or address (RODO
    art. 21): it is never used again. Raises `ValidationError` (field dict) on bad input.
    With `message_id` (the dunning message it answers) the same news recorded again returns the
    first outcome and does nothing more.
    """
    with transaction.atomic():
        if message_id is not None:
            earlier = Outcome.objects.for_tenant(tenant).filter(message_id=message_id, kind=kind)
            if earlier.exists():
                return earlier.get()
        contact = _validate(
            tenant=tenant,
            payer=payer,
            kind=kind,
            source=source,
            task=task,
            invoices=invoices,
            promised_date=promised_date,
            promised_amount=promised_amount,
            dispute_category=dispute_category,
            claimed_paid_date=claimed_paid_date,
            callback_at=callback_at,
            contact_value=contact_value,
        )
        covered = _invoices_for(tenant=tenant, payer=payer, task=task, invoices=invoices)
        if kind in INVOICE_KINDS and not covered:
            raise ValidationError(
                {"invoices": _("Choose the invoices this outcome is about; none is open.")}
            )
        fields = dict(
            tenant=tenant,
            payer=payer,
            task=task,
            kind=kind,
            source=source,
            promised_date=promised_date,
            promised_amount=promised_amount,
            promise_state=Outcome.PromiseState.PENDING if kind == Outcome.Kind.PROMISE else "",
            dispute_category=dispute_category,
            dispute_state=Outcome.DisputeState.OPEN if kind == Outcome.Kind.DISPUTE else "",
            description=description,
            claimed_paid_date=claimed_paid_date,
            callback_at=callback_at,
            contact_value=contact.value if contact else contact_value.strip(),
            user=user,
            note=note,
            message_id=message_id,
        )
        try:
            with transaction.atomic():
                outcome = Outcome.objects.create(**fields)
        except IntegrityError:
            if message_id is None:
                raise
            # The same news, delivered twice at once, was recorded by the other delivery.
            return Outcome.objects.for_tenant(tenant).get(message_id=message_id, kind=kind)
        outcome.invoices.set(covered)
        if task is not None:
            _close_task(task=task, kind=kind, now=outcome.created_at)
        effect = EFFECTS.get(kind)
        if effect is not None:
            effect(outcome=outcome, invoices=covered, contact=contact)
        return outcome


# --- validation ---------------------------------------------------------------------------------


def _validate(
    *,
    tenant: Tenant,
    payer: Payer,
    kind: str,
    source: str,
    task: ContactTask | None,
    invoices: Sequence[Invoice],
    promised_date: datetime.date | None,
    promised_amount: Decimal | None,
    dispute_category: str,
    claimed_paid_date: datetime.date | None,
    callback_at: datetime.datetime | None,
    contact_value: str,
) -> PayerContact | None:
    """Every check before anything is written; returns the payer's contact `contact_value` names."""
    errors: dict[str, str] = {}
    today = tenant_today(tenant)
    if kind not in Outcome.Kind.values:
        errors["kind"] = _("Unknown outcome: %(kind)s.") % {"kind": kind}
    if source not in Outcome.Source.values:
        errors["source"] = _("Unknown source: %(source)s.") % {"source": source}
    if payer.tenant_id != tenant.pk:
        raise ValidationError({"payer": _("The payer belongs to another client.")})
    if task is not None and (task.tenant_id != tenant.pk or task.payer_id != payer.pk):
        errors["task"] = _("The contact task is not this payer's.")
    foreign = [i.number for i in invoices if i.tenant_id != tenant.pk or i.payer_id != payer.pk]
    if foreign:
        errors["invoices"] = _("Not this payer's invoices: %(numbers)s.") % {
            "numbers": ", ".join(foreign)
        }
    if kind == Outcome.Kind.PROMISE:
        if promised_date is None:
            errors["promised_date"] = _("Say when the payer promised to pay.")
        elif promised_date < today:
            errors["promised_date"] = _("The promised date %(date)s has already passed.") % {
                "date": promised_date
            }
        elif promised_date > today + datetime.timedelta(days=MAX_PROMISE_DAYS):
            errors["promised_date"] = _(
                "A promise more than %(days)s days ahead is a payment plan; ask the client."
            ) % {"days": MAX_PROMISE_DAYS}
    if promised_amount is not None and promised_amount <= 0:
        errors["promised_amount"] = _("The promised amount must be greater than zero.")
    if kind == Outcome.Kind.DISPUTE and dispute_category not in Outcome.DisputeCategory.values:
        errors["dispute_category"] = _("Choose what the dispute is about.")
    elif dispute_category and dispute_category not in Outcome.DisputeCategory.values:
        errors["dispute_category"] = _("Unknown dispute category: %(category)s.") % {
            "category": dispute_category
        }
    if claimed_paid_date is not None and claimed_paid_date > today:
        errors["claimed_paid_date"] = _("A payment cannot have been made on %(date)s yet.") % {
            "date": claimed_paid_date
        }
    if kind == Outcome.Kind.CALLBACK:
        if callback_at is None:
            errors["callback_at"] = _("Say when to call back.")
        elif timezone.is_naive(callback_at):
            errors["callback_at"] = _("Give the callback time with its time zone.")
        elif callback_at <= timezone.now():
            errors["callback_at"] = _("The callback time has already passed.")
    contact = None
    if len(contact_value.strip()) > Outcome._meta.get_field("contact_value").max_length:
        errors["contact_value"] = _("That is too long for a number or an address.")
    elif kind == Outcome.Kind.WRONG_NUMBER and not contact_value.strip():
        errors["contact_value"] = _("Say which number or address is wrong.")
    elif contact_value.strip() and kind in (Outcome.Kind.WRONG_NUMBER, Outcome.Kind.REFUSED):
        contact = _contact_named(tenant=tenant, payer=payer, value=contact_value)
        if contact is None:
            errors["contact_value"] = _("%(value)s is not one of this payer's contacts.") % {
                "value": contact_value
            }
    if errors:
        raise ValidationError(errors)
    return contact


def _contact_named(*, tenant: Tenant, payer: Payer, value: str) -> PayerContact | None:
    value = value.strip()
    candidates = {value, value.lower()}
    try:
        candidates.add(normalize_phone(value))
    except ValidationError:
        pass  # not a phone number: an e-mail address, compared as given
    return (
        PayerContact.objects.for_tenant(tenant)
        .filter(payer=payer, value__in=candidates)
        .order_by("id")
        .first()
    )


def _invoices_for(
    *, tenant: Tenant, payer: Payer, task: ContactTask | None, invoices: Sequence[Invoice]
) -> list[Invoice]:
    if invoices:
        return list(invoices)
    if task is not None:
        covered = Invoice.objects.for_tenant(tenant).filter(
            pk__in=task.covered.values("invoice_id"), status__in=Invoice.UNSETTLED
        )
        if covered.exists():
            return list(covered)
    return list(monitored_invoices(tenant=tenant).filter(payer=payer))


def _close_task(*, task: ContactTask, kind: str, now: datetime.datetime) -> None:
    changed = []
    if kind not in RETRY_KINDS and task.state != ContactTask.State.DONE:
        task.state = ContactTask.State.DONE
        changed.append("state")
    if kind in RESPONSE_KINDS and task.responded_at is None:
        task.responded_at = now
        changed.append("responded_at")
    if changed:
        task.save(update_fields=changed)


# --- effects, one per kind -----------------------------------------------------------------------


def _promise(*, outcome: Outcome, invoices: list[Invoice], contact: PayerContact | None) -> None:
    """Pause the invoices until the promised date plus the client's grace days; the daily check
    (`escalation.check_promises`) then finds the promise kept or broken."""
    grace = outcome_rules_for(tenant=outcome.tenant).promise_grace_days
    holds.pause_invoices(
        tenant=outcome.tenant,
        payer=outcome.payer,
        invoices=invoices,
        kind=Hold.Kind.PROMISE,
        reason=_("Promised to pay by %(date)s") % {"date": outcome.promised_date},
        ends_on=outcome.promised_date + datetime.timedelta(days=grace),
        outcome=outcome,
        user=outcome.user,
    )


def _dispute(*, outcome: Outcome, invoices: list[Invoice], contact: PayerContact | None) -> None:
    """Pause the disputed invoices until the client decides (`resolve_dispute`); the open
    dispute is the client's sales-process disturbance (`selectors.sales_disturbances`)."""
    holds.pause_invoices(
        tenant=outcome.tenant,
        payer=outcome.payer,
        invoices=invoices,
        kind=Hold.Kind.DISPUTE,
        reason=_("Disputed: %(category)s") % {"category": outcome.get_dispute_category_display()},
        ends_on=None,
        outcome=outcome,
        user=outcome.user,
    )
    holds.mark_disputed(tenant=outcome.tenant, invoice_ids=[invoice.pk for invoice in invoices])


def _already_paid(
    *, outcome: Outcome, invoices: list[Invoice], contact: PayerContact | None
) -> None:
    """Wait a few days for the payment the payer says was made; then the schedule resumes."""
    wait = outcome_rules_for(tenant=outcome.tenant).already_paid_wait_days
    today = tenant_today(outcome.tenant)
    holds.pause_invoices(
        tenant=outcome.tenant,
        payer=outcome.payer,
        invoices=invoices,
        kind=Hold.Kind.ALREADY_PAID,
        reason=_("Says paid on %(date)s") % {"date": outcome.claimed_paid_date or "?"},
        ends_on=today + datetime.timedelta(days=wait),
        outcome=outcome,
        user=outcome.user,
    )


def _wrong_number(
    *, outcome: Outcome, invoices: list[Invoice], contact: PayerContact | None
) -> None:
    """Never use the number again; with no usable contact left, the payer goes to collection."""
    PayerContact.objects.filter(pk=contact.pk).update(is_wrong=True)
    usable = PayerContact.objects.for_tenant(outcome.tenant).filter(
        payer=outcome.payer, is_wrong=False, opted_out_at__isnull=True
    )
    if not usable.exists():
        escalation.escalate(
            tenant=outcome.tenant,
            payer=outcome.payer,
            reason=CollectionCase.Reason.NO_CONTACT_DATA,
            note=_("The last contact, %(value)s, was wrong.") % {"value": contact.value},
        )


def _refused(*, outcome: Outcome, invoices: list[Invoice], contact: PayerContact | None) -> None:
    """With a contact: the payer objected to it (opt-out), so that channel is blocked for it."""
    if contact is not None and contact.opted_out_at is None:
        PayerContact.objects.filter(pk=contact.pk).update(opted_out_at=outcome.created_at)


def _callback(*, outcome: Outcome, invoices: list[Invoice], contact: PayerContact | None) -> None:
    schedule_callback(
        tenant=outcome.tenant, payer=outcome.payer, at=outcome.callback_at, task=outcome.task
    )


EFFECTS: dict[str, Callable[..., None]] = {
    Outcome.Kind.PROMISE: _promise,
    Outcome.Kind.DISPUTE: _dispute,
    Outcome.Kind.ALREADY_PAID: _already_paid,
    Outcome.Kind.WRONG_NUMBER: _wrong_number,
    Outcome.Kind.REFUSED: _refused,
    Outcome.Kind.CALLBACK: _callback,
    # reached, no_answer, voicemail, note: recorded (and the task closed or left open) only.
}


def schedule_callback(
    *,
    tenant: Tenant,
    payer: Payer,
    at: datetime.datetime,
    task: ContactTask | None = None,
) -> ContactTask:
    """A call task from `at` (moved into the call window) on that day's task of the payer.

    One contact per payer per day: the payer asked for this call, so it becomes the day's
    contact (channel call, planned again); without a task that day a call task is created.
    """
    try:
        start, end = window_at_or_after(
            tenant=tenant,
            channel=Channel.CALL,
            moment=at,
            consumer=payer.kind == Payer.Kind.CONSUMER,
        )
    except NoContactWindow as error:
        raise ValidationError({"callback_at": _("Calls have no contact window.")}) from error
    at = max(at, start)
    day = at.astimezone(tenant.zone).date()
    existing = (
        ContactTask.objects.for_tenant(tenant)
        .select_for_update()
        .filter(payer=payer, planned_date=day)
        .first()
    )
    if existing is not None:
        existing.callback_at = at
        existing.channel = Channel.CALL
        existing.state = ContactTask.State.PLANNED
        # The call window of that day: the task's own (an SMS's, or one that ended already)
        # may close before the callback and leave it untakeable.
        existing.window_start, existing.window_end = start, end
        existing.save(
            update_fields=["callback_at", "channel", "state", "window_start", "window_end"]
        )
        return existing
    step = task.step if task is not None else _last_step(tenant=tenant, payer=payer)
    if step is None:
        raise ValidationError(
            {"callback_at": _("This payer has no contact yet to attach a callback to.")}
        )
    return ContactTask.objects.create(
        tenant=tenant,
        payer=payer,
        planned_date=day,
        channel=Channel.CALL,
        step=step,
        window_start=start,
        window_end=end,
        callback_at=at,
        attempts=step.attempts if step.channel == Channel.CALL else 1,
    )


def _last_step(*, tenant: Tenant, payer: Payer):
    last = (
        ContactTask.objects.for_tenant(tenant)
        .filter(payer=payer)
        .select_related("step")
        .order_by("-planned_date")
        .first()
    )
    return last.step if last else None
