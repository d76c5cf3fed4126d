"""What each outcome does to the schedule (one test or more per kind)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contact_schedule.escalation import check_promises, resolve_dispute
from contact_schedule.holds import lift_hold
from contact_schedule.models import CollectionCase, ContactTask, Hold, Outcome, OutcomeRules
from contact_schedule.outcomes import record_outcome
from contact_schedule.selectors import (
    broken_promises,
    monitored_invoices,
    open_promises,
    outcomes_of,
    sales_disturbances,
)
from dunning.documents.content import demanded_invoices
from invoices.models import Invoice
from invoices.services import record_payment
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today(tenant):
    return tenant_today(tenant)


@pytest.fixture
def payer(tenant):
    return PayerFactory(tenant=tenant)


def overdue(payer, today, amount="1000.00"):
    return InvoiceFactory(
        payer=payer,
        issue_date=today - 40 * DAY,
        due_date=today - 10 * DAY,
        gross_amount=Decimal(amount),
    )


def monitored_on(tenant, day) -> set[int]:
    return set(monitored_invoices(tenant=tenant, day=day).values_list("pk", flat=True))


def promise(tenant, payer, invoices, on, amount=None) -> Outcome:
    return record_outcome(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="agent",
        invoices=invoices,
        promised_date=on,
        promised_amount=amount,
    )


# --- promise -------------------------------------------------------------------------------------


def test_a_promise_pauses_its_invoices_until_the_date_plus_grace_days(tenant, payer, today):
    promised, other = overdue(payer, today), overdue(payer, today)
    outcome = promise(tenant, payer, [promised], today + 4 * DAY)

    assert outcome.promise_state == Outcome.PromiseState.PENDING
    assert list(open_promises(tenant=tenant, day=today + 4 * DAY)) == [outcome]
    # Default grace: 3 days after the promised date, then monitoring resumes by itself.
    assert monitored_on(tenant, today + 7 * DAY) == {other.pk}
    assert monitored_on(tenant, today + 8 * DAY) == {promised.pk, other.pk}


def test_the_grace_days_are_a_client_setting(tenant, payer, today):
    OutcomeRules.objects.create(tenant=tenant, promise_grace_days=0)
    invoice = overdue(payer, today)
    promise(tenant, payer, [invoice], today + 2 * DAY)

    assert monitored_on(tenant, today + 2 * DAY) == set()
    assert monitored_on(tenant, today + 3 * DAY) == {invoice.pk}


def test_a_promise_paid_is_kept_and_the_pause_ends(tenant, payer, today):
    invoice = overdue(payer, today)
    outcome = promise(tenant, payer, [invoice], today + 4 * DAY)
    record_payment(tenant=tenant, payer=payer, amount=invoice.gross_amount, paid_on=today)

    kept, broken = check_promises(tenant=tenant, day=today + DAY)

    outcome.refresh_from_db()
    assert (kept, broken) == (1, 0)
    assert outcome.promise_state == Outcome.PromiseState.KEPT
    assert not Hold.objects.filter(outcome=outcome, lifted_at__isnull=True).exists()


def test_a_promised_amount_paid_keeps_the_promise_though_more_is_owed(tenant, payer, today):
    invoice = overdue(payer, today, amount="1000.00")
    outcome = promise(tenant, payer, [invoice], today + 4 * DAY, amount=Decimal("400.00"))
    record_payment(tenant=tenant, payer=payer, amount=Decimal("400.00"), paid_on=today)

    check_promises(tenant=tenant, day=today + 9 * DAY)

    outcome.refresh_from_db()
    assert outcome.promise_state == Outcome.PromiseState.KEPT


def test_an_unpaid_promise_is_broken_after_the_grace_days_and_flagged(tenant, payer, today):
    invoice = overdue(payer, today)
    outcome = promise(tenant, payer, [invoice], today + 4 * DAY)

    assert check_promises(tenant=tenant, day=today + 7 * DAY) == (0, 0)  # still in grace
    assert check_promises(tenant=tenant, day=today + 8 * DAY) == (0, 1)
    assert check_promises(tenant=tenant, day=today + 9 * DAY) == (0, 0)  # decided once

    outcome.refresh_from_db()
    assert outcome.promise_state == Outcome.PromiseState.BROKEN
    assert list(broken_promises(tenant=tenant, since=today)) == [outcome]
    assert monitored_on(tenant, today + 8 * DAY) == {invoice.pk}  # resumed
    assert not CollectionCase.objects.exists()  # one broken promise is not yet a case


def test_two_broken_promises_escalate_the_payer(tenant, payer, today):
    first, second = overdue(payer, today), overdue(payer, today)
    promise(tenant, payer, [first], today + DAY)
    check_promises(tenant=tenant, day=today + 5 * DAY)
    promise(tenant, payer, [second], today + DAY)

    check_promises(tenant=tenant, day=today + 5 * DAY)

    case = CollectionCase.objects.for_tenant(tenant).get()
    assert case.reason == CollectionCase.Reason.BROKEN_PROMISES
    assert set(case.invoices.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert monitored_on(tenant, today + 30 * DAY) == set()


# --- dispute -------------------------------------------------------------------------------------


def dispute(tenant, payer, invoices) -> Outcome:
    return record_outcome(
        tenant=tenant,
        payer=payer,
        kind="dispute",
        source="agent",
        invoices=invoices,
        dispute_category="quality",
        description="Pallets arrived broken",
    )


def test_a_dispute_pauses_that_invoice_and_flags_a_sales_disturbance(tenant, payer, today):
    disputed, other = overdue(payer, today), overdue(payer, today)
    outcome = dispute(tenant, payer, [disputed])

    assert monitored_on(tenant, today + 100 * DAY) == {other.pk}
    flagged = list(sales_disturbances(tenant=tenant))
    assert flagged == [outcome]
    assert flagged[0].get_dispute_category_display() == Outcome.DisputeCategory.QUALITY.label


def test_a_dispute_the_client_accepts_cancels_the_invoice(tenant, payer, today):
    disputed = overdue(payer, today)
    outcome = dispute(tenant, payer, [disputed])

    resolve_dispute(tenant=tenant, dispute=outcome, accepted=True)

    disputed.refresh_from_db()
    assert disputed.status == Invoice.Status.CANCELLED
    assert list(sales_disturbances(tenant=tenant)) == []
    assert not CollectionCase.objects.exists()


def test_a_dispute_the_client_rejects_goes_to_collection(tenant, payer, today):
    disputed, other = overdue(payer, today), overdue(payer, today)
    outcome = dispute(tenant, payer, [disputed])

    resolve_dispute(tenant=tenant, dispute=outcome, accepted=False)

    case = CollectionCase.objects.for_tenant(tenant).get()
    assert case.reason == CollectionCase.Reason.DISPUTE_REJECTED
    assert list(case.invoices.all()) == [disputed]
    assert monitored_on(tenant, today + DAY) == {other.pk}
    with pytest.raises(ValidationError):
        resolve_dispute(tenant=tenant, dispute=outcome, accepted=True)  # decided once


def test_another_client_cannot_resolve_the_dispute(tenant, other_tenant, payer, today):
    outcome = dispute(tenant, payer, [overdue(payer, today)])
    with pytest.raises(ValidationError):
        resolve_dispute(tenant=other_tenant, dispute=outcome, accepted=True)
    outcome.refresh_from_db()
    assert outcome.dispute_state == Outcome.DisputeState.OPEN


# --- wrong number, already paid, callback, the rest ---------------------------------------------


def test_a_wrong_number_is_never_used_again(tenant, payer, today):
    wrong = PayerContactFactory(payer=payer, value="+48601000011")
    PayerContactFactory(payer=payer, value="+48601000012")
    overdue(payer, today)

    record_outcome(
        tenant=tenant, payer=payer, kind="wrong_number", source="agent", contact_value=wrong.value
    )

    wrong.refresh_from_db()
    assert wrong.is_wrong
    assert not CollectionCase.objects.exists()  # another number is left


def test_the_last_wrong_number_sends_the_payer_to_collection(tenant, payer, today):
    only = PayerContactFactory(payer=payer, value="+48601000021")
    invoice = overdue(payer, today)

    record_outcome(
        tenant=tenant, payer=payer, kind="wrong_number", source="status", contact_value=only.value
    )

    case = CollectionCase.objects.for_tenant(tenant).get()
    assert case.reason == CollectionCase.Reason.NO_CONTACT_DATA
    assert list(case.invoices.all()) == [invoice]


def test_already_paid_pauses_a_few_days_awaiting_the_payment(tenant, payer, today):
    invoice = overdue(payer, today)
    outcome = record_outcome(
        tenant=tenant, payer=payer, kind="already_paid", source="sms", claimed_paid_date=today
    )

    assert list(outcome.invoices.all()) == [invoice]
    assert monitored_on(tenant, today + 5 * DAY) == set()  # default wait: 5 days
    assert monitored_on(tenant, today + 6 * DAY) == {invoice.pk}


def _in_call_hours(tenant, day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tenant.zone)


def test_a_callback_creates_a_call_task_for_that_day(tenant, payer, today):
    overdue(payer, today)
    wednesday = today + ((2 - today.weekday()) % 7 + 7) * DAY
    task = _task_of_the_day(tenant, payer, today, "call", hours=(8, 20))
    at = _in_call_hours(tenant, wednesday, 11)

    record_outcome(
        tenant=tenant, payer=payer, kind="callback", source="agent", task=task, callback_at=at
    )

    callback = ContactTask.objects.for_tenant(tenant).get(payer=payer, planned_date=wednesday)
    assert callback.channel == "call"
    assert callback.state == ContactTask.State.PLANNED
    assert callback.callback_at == at
    task.refresh_from_db()
    assert task.state == ContactTask.State.DONE and task.responded_at is not None


def test_a_callback_at_night_moves_into_the_call_window(tenant, payer, today):
    overdue(payer, today)
    wednesday = today + ((2 - today.weekday()) % 7 + 7) * DAY
    task = _task_of_the_day(
        tenant, payer, wednesday, "sms", hours=(9, 19), state=ContactTask.State.DONE
    )

    record_outcome(
        tenant=tenant,
        payer=payer,
        kind="callback",
        source="voice",
        callback_at=_in_call_hours(tenant, wednesday, 6),
    )

    task.refresh_from_db()
    # The day's task becomes the call the payer asked for, from the window's opening.
    assert task.channel == "call" and task.state == ContactTask.State.PLANNED
    assert task.callback_at == _in_call_hours(tenant, wednesday, 8)


def test_a_callback_after_the_days_sms_window_gets_the_call_window(tenant, payer, today):
    """The day's task was an SMS (window 9–19); the payer asks for a call at 19:30, inside the
    call hours (till 20:00): the task becomes a call with the call window, not left with the SMS
    window that closed before the callback (untakeable, then carried)."""
    overdue(payer, today)
    wednesday = today + ((2 - today.weekday()) % 7 + 7) * DAY
    task = _task_of_the_day(tenant, payer, wednesday, "sms", hours=(9, 19))
    at = _in_call_hours(tenant, wednesday, 19).replace(minute=30)

    record_outcome(tenant=tenant, payer=payer, kind="callback", source="sms", callback_at=at)

    task.refresh_from_db()
    assert (task.channel, task.callback_at) == ("call", at)
    assert task.window_start <= at < task.window_end
    assert task.window_end == _in_call_hours(tenant, wednesday, 20)


def _task_of_the_day(tenant, payer, day, channel, *, hours: tuple[int, int], **fields):
    start, end = hours
    return ContactTask.objects.create(
        tenant=tenant,
        payer=payer,
        planned_date=day,
        channel=channel,
        step_id=_a_call_step_id(),
        window_start=_in_call_hours(tenant, day, start),
        window_end=_in_call_hours(tenant, day, end),
        **fields,
    )


def _a_call_step_id() -> int:
    from contact_schedule.models import ScheduleStep

    return ScheduleStep.objects.filter(channel="call").values_list("pk", flat=True).first()


@pytest.mark.parametrize("kind", ["reached", "no_answer", "voicemail", "refused", "note"])
def test_other_outcomes_are_recorded_without_pausing(tenant, payer, today, kind):
    invoice = overdue(payer, today)

    outcome = record_outcome(tenant=tenant, payer=payer, kind=kind, source="agent", note="n")

    assert list(outcomes_of(tenant=tenant, payer=payer)) == [outcome]
    assert monitored_on(tenant, today) == {invoice.pk}


def test_outcomes_of_is_scoped_to_the_client(tenant, other_tenant, payer, today):
    record_outcome(tenant=tenant, payer=payer, kind="reached", source="agent")
    assert outcomes_of(tenant=other_tenant, payer=payer).count() == 0


def test_a_disputed_invoice_is_marked_and_left_out_of_payment_demands(tenant, payer, today):
    disputed, other = overdue(payer, today), overdue(payer, today)

    dispute(tenant, payer, [disputed])

    disputed.refresh_from_db()
    other.refresh_from_db()
    assert (disputed.status, other.status) == (Invoice.Status.DISPUTED, Invoice.Status.OPEN)
    assert demanded_invoices(payer=payer, day=today) == [other]


def test_a_dispute_pause_lifted_by_hand_makes_the_invoice_owed_again(tenant, payer, today):
    disputed = overdue(payer, today)
    record_payment(
        tenant=tenant, payer=payer, invoice=disputed, amount=Decimal("100.00"), paid_on=today
    )
    dispute(tenant, payer, [disputed])
    pause = Hold.objects.for_tenant(tenant).get(kind=Hold.Kind.DISPUTE)

    lift_hold(tenant=tenant, hold=pause)

    disputed.refresh_from_db()
    assert disputed.status == Invoice.Status.PARTIALLY_PAID
    assert monitored_on(tenant, today) == {disputed.pk}
