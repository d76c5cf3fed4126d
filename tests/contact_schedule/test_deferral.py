"""Deferral: a contact that did not happen in its window moves to the next window, never dropped,
and the payer still has one task a day."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from contact_schedule.models import ContactTask
from contact_schedule.planner import plan_day
from invoices.models import Invoice
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
FRIDAY = D(2026, 12, 11)


def invoice(payer, due: datetime.date, **fields) -> Invoice:
    return InvoiceFactory(
        payer=payer, issue_date=due - datetime.timedelta(days=30), due_date=due, **fields
    )


def task_on(tenant, payer, day) -> ContactTask:
    return (
        ContactTask.objects.for_tenant(tenant)
        .select_related("step")
        .get(payer=payer, planned_date=day)
    )


def test_a_call_not_made_on_friday_is_carried_into_saturdays_window(tenant):
    payer = PayerFactory(tenant=tenant)
    overdue = invoice(payer, FRIDAY - datetime.timedelta(days=7))  # +7: call on Friday
    plan_day(tenant=tenant, day=FRIDAY)

    result = plan_day(tenant=tenant, day=D(2026, 12, 12))

    friday = task_on(tenant, payer, FRIDAY)
    assert friday.state == ContactTask.State.DEFERRED
    assert friday.deferred_reason == ContactTask.DeferralReason.NOT_DONE
    assert friday.deferred_to == D(2026, 12, 12)
    saturday = task_on(tenant, payer, D(2026, 12, 12))
    assert (saturday.channel, saturday.step.offset_days) == ("call", 7)
    assert saturday.state == ContactTask.State.PLANNED
    assert list(saturday.invoices.all()) == [overdue]
    assert result.tasks_created == 1
    local_start = saturday.window_start.astimezone(tenant.zone)
    assert (local_start.date(), local_start.time()) == (D(2026, 12, 12), datetime.time(9))


def test_a_done_task_is_not_carried(tenant):
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=7))
    plan_day(tenant=tenant, day=FRIDAY)
    ContactTask.objects.for_tenant(tenant).update(state=ContactTask.State.DONE)

    assert plan_day(tenant=tenant, day=D(2026, 12, 12)).tasks_created == 0
    assert task_on(tenant, payer, FRIDAY).state == ContactTask.State.DONE


def test_a_letter_waits_over_the_weekend_for_mondays_window(tenant):
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=10))  # +10: payment demand on Friday
    plan_day(tenant=tenant, day=FRIDAY)

    for day in (D(2026, 12, 12), D(2026, 12, 13)):  # letters have no Saturday window
        assert plan_day(tenant=tenant, day=day).tasks_created == 0
    friday = task_on(tenant, payer, FRIDAY)
    assert (friday.state, friday.deferred_to) == (ContactTask.State.DEFERRED, None)

    plan_day(tenant=tenant, day=D(2026, 12, 14))

    monday = task_on(tenant, payer, D(2026, 12, 14))
    assert (monday.channel, monday.step.offset_days) == ("demand_letter", 10)
    assert task_on(tenant, payer, FRIDAY).deferred_to == D(2026, 12, 14)


def test_a_carried_contact_and_the_days_own_make_one_task_the_most_advanced_deciding(tenant):
    payer = PayerFactory(tenant=tenant)
    carried = invoice(payer, D(2026, 11, 27))  # +14: call on Friday 11th, next step +21
    plan_day(tenant=tenant, day=FRIDAY)
    plan_day(tenant=tenant, day=D(2026, 12, 12))  # Saturday: carried, not made either
    todays = invoice(payer, D(2026, 12, 4))  # +10: payment demand on Monday 14th

    plan_day(tenant=tenant, day=D(2026, 12, 14))

    monday = task_on(tenant, payer, D(2026, 12, 14))
    assert (monday.channel, monday.step.offset_days) == ("call", 14)
    stages = {row.invoice_id: row.step.offset_days for row in monday.covered.select_related("step")}
    assert stages == {carried.pk: 14, todays.pk: 10}
    assert ContactTask.objects.for_tenant(tenant).filter(planned_date=D(2026, 12, 14)).count() == 1


def test_a_chain_of_missed_days_keeps_carrying_the_contact_and_reruns_add_nothing(tenant):
    payer = PayerFactory(tenant=tenant)
    overdue = invoice(payer, FRIDAY - datetime.timedelta(days=7))
    days = [FRIDAY, D(2026, 12, 12), D(2026, 12, 14), D(2026, 12, 15)]
    for day in days:
        plan_day(tenant=tenant, day=day)
        rerun = plan_day(tenant=tenant, day=day)
        assert (rerun.tasks_created, rerun.invoices_covered) == (0, 0)

    tasks = list(ContactTask.objects.for_tenant(tenant).order_by("planned_date"))
    assert [task.planned_date for task in tasks] == days
    assert [task.deferred_to for task in tasks] == [*days[1:], None]
    assert all(list(task.invoices.all()) == [overdue] for task in tasks)
    assert tasks[-1].state == ContactTask.State.PLANNED


def test_an_invoice_paid_meanwhile_is_not_carried(tenant):
    payer = PayerFactory(tenant=tenant)
    paid = invoice(payer, FRIDAY - datetime.timedelta(days=7))
    plan_day(tenant=tenant, day=FRIDAY)
    Invoice.objects.filter(pk=paid.pk).update(
        status=Invoice.Status.PAID, outstanding_amount=Decimal("0.00")
    )

    assert plan_day(tenant=tenant, day=D(2026, 12, 12)).tasks_created == 0
    assert task_on(tenant, payer, FRIDAY).deferred_to == D(2026, 12, 12)  # settled, not waiting


def test_a_call_missed_before_christmas_moves_past_the_holidays_and_sunday(tenant):
    payer = PayerFactory(tenant=tenant)
    invoice(payer, D(2026, 12, 16))  # +7: call on Wednesday 23 December
    plan_day(tenant=tenant, day=D(2026, 12, 23))

    for day in (D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 26), D(2026, 12, 27)):
        assert plan_day(tenant=tenant, day=day).tasks_by_channel == {}
    plan_day(tenant=tenant, day=D(2026, 12, 28))

    days = ContactTask.objects.for_tenant(tenant).values_list("planned_date", flat=True)
    assert sorted(days) == [D(2026, 12, 23), D(2026, 12, 28)]
    assert task_on(tenant, payer, D(2026, 12, 23)).deferred_to == D(2026, 12, 28)


def test_only_the_clients_own_deferred_tasks_are_carried(tenant, other_tenant):
    for client in (tenant, other_tenant):
        invoice(PayerFactory(tenant=client), FRIDAY - datetime.timedelta(days=7))
    plan_day(tenant=tenant, day=FRIDAY)
    plan_day(tenant=other_tenant, day=FRIDAY)

    plan_day(tenant=tenant, day=D(2026, 12, 12))

    assert ContactTask.objects.for_tenant(other_tenant).get().state == ContactTask.State.PLANNED
    saturday = ContactTask.objects.for_tenant(tenant).get(planned_date=D(2026, 12, 12))
    assert all(inv.tenant_id == tenant.pk for inv in saturday.invoices.all())


def test_a_message_already_sent_for_the_task_is_not_carried_and_sent_again(tenant):
    from contact_schedule.messaging import queue_messages_for_day
    from tests.factories import PayerContactFactory

    texted, silent = PayerFactory(tenant=tenant), PayerFactory(tenant=tenant)
    PayerContactFactory(payer=texted)
    for payer in (texted, silent):  # silent has no number: nothing can be sent
        invoice(payer, FRIDAY - datetime.timedelta(days=1))  # +1: SMS on Friday
    plan_day(tenant=tenant, day=FRIDAY)
    queue_messages_for_day(tenant=tenant, day=FRIDAY)

    plan_day(tenant=tenant, day=D(2026, 12, 12))

    sent = task_on(tenant, texted, FRIDAY)
    assert sent.state == ContactTask.State.PLANNED  # awaiting its result, not carried
    assert (
        not ContactTask.objects.for_tenant(tenant)
        .filter(payer=texted, planned_date=D(2026, 12, 12))
        .exists()
    )
    assert task_on(tenant, silent, FRIDAY).state == ContactTask.State.DEFERRED
    assert task_on(tenant, silent, D(2026, 12, 12)).channel == "sms"


def test_a_call_dialled_but_unanswered_is_carried_not_left_planned_forever(tenant):
    """The consultant's call is a message of the task too, but an unanswered one leaves the
    contact due: the next day carries it (before, the task stayed `planned` on its old day,
    outside every worklist: the contact was dropped)."""
    from contact_schedule.outcomes import record_outcome
    from dunning.calls import place_consultant_call
    from tests.factories import PayerContactFactory

    payer = PayerFactory(tenant=tenant)
    phone = PayerContactFactory(payer=payer)
    overdue = invoice(payer, FRIDAY - datetime.timedelta(days=7))  # +7: call on Friday
    plan_day(tenant=tenant, day=FRIDAY)
    friday = task_on(tenant, payer, FRIDAY)
    place_consultant_call(
        tenant=tenant, payer=payer, to=phone.value, consultant="+48221000999",
        contact_task_id=friday.pk, now=friday.window_start + datetime.timedelta(hours=1),
    )  # fmt: skip
    record_outcome(tenant=tenant, payer=payer, task=friday, kind="no_answer", source="agent")

    plan_day(tenant=tenant, day=D(2026, 12, 12))

    assert task_on(tenant, payer, FRIDAY).state == ContactTask.State.DEFERRED
    saturday = task_on(tenant, payer, D(2026, 12, 12))
    assert (saturday.channel, list(saturday.invoices.all())) == ("call", [overdue])
