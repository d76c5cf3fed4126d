"""Consumers get the gentler of any two settings (DOMAIN.md §4): a client's contact window that
is wider than the operator's holds for its business payers only; its consumers keep the hours
both windows share. A contact the narrower hours leave out is deferred, never dropped."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule.models import ContactTask, ContactWindow
from contact_schedule.planner import plan_day
from contact_schedule.selectors import contact_windows_for
from dunning.outbox import enqueue_message
from payers.models import Payer
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D, H = datetime.date, datetime.time
FRIDAY, SATURDAY, MONDAY = D(2026, 12, 11), D(2026, 12, 12), D(2026, 12, 14)
Reason = ContactTask.DeferralReason


def payers(tenant) -> tuple[Payer, Payer]:
    business = PayerFactory(tenant=tenant, kind=Payer.Kind.BUSINESS)
    consumer = PayerFactory(tenant=tenant, kind=Payer.Kind.CONSUMER, nip="")
    return business, consumer


def due(payer, day: datetime.date) -> None:
    InvoiceFactory(payer=payer, issue_date=day - datetime.timedelta(days=30), due_date=day)


def sms_until_eight_pm(tenant) -> None:
    """The client's SMS window: weekdays 9–20, no Saturdays (operator's: 9–19, Saturdays too)."""
    ContactWindow.objects.create(
        tenant=tenant, channel="sms", weekday_start=H(9), weekday_end=H(20)
    )


def hours(task: ContactTask) -> tuple[datetime.time, datetime.time]:
    zone = task.tenant.zone
    return task.window_start.astimezone(zone).time(), task.window_end.astimezone(zone).time()


def test_consumers_keep_the_hours_the_clients_and_the_operators_window_share(tenant):
    ContactWindow.objects.create(
        tenant=tenant,
        channel="sms",
        weekday_start=H(8),
        weekday_end=H(20),  # the operator's SMS window: 9–19, Saturdays 9–19
    )

    business = contact_windows_for(tenant=tenant)["sms"]
    consumer = contact_windows_for(tenant=tenant, consumer=True)["sms"]

    assert (business.weekday_start, business.weekday_end, business.has_saturday) == (
        H(8),
        H(20),
        False,
    )
    assert (consumer.weekday_start, consumer.weekday_end, consumer.has_saturday) == (
        H(9),
        H(19),
        False,
    )
    assert contact_windows_for(tenant=tenant, consumer=True)["call"].weekday_end == H(20)


def test_the_planner_gives_a_consumers_task_the_consumers_hours(tenant):
    ContactWindow.objects.create(
        tenant=tenant, channel="sms", weekday_start=H(9), weekday_end=H(20)
    )
    business, consumer = payers(tenant)
    for payer in (business, consumer):
        due(payer, FRIDAY - datetime.timedelta(days=1))  # +1: the SMS

    plan_day(tenant=tenant, day=FRIDAY)

    tasks = {task.payer: task for task in ContactTask.objects.for_tenant(tenant)}
    assert {payer: tasks[payer].channel for payer in tasks} == {business: "sms", consumer: "sms"}
    assert hours(tasks[business]) == (H(9), H(20))
    assert hours(tasks[consumer]) == (H(9), H(19))
    assert tasks[consumer].state == ContactTask.State.PLANNED


def test_a_saturday_only_the_client_opens_defers_its_consumers_to_monday(tenant):
    ContactWindow.objects.operator_defaults().filter(channel="call").update(
        saturday_start=None, saturday_end=None
    )
    ContactWindow.objects.create(
        tenant=tenant,
        channel="call",
        weekday_start=H(8),
        weekday_end=H(20),
        saturday_start=H(9),
        saturday_end=H(14),
    )
    business, consumer = payers(tenant)
    for payer in (business, consumer):
        due(payer, SATURDAY - datetime.timedelta(days=3))  # +3: the call, on Saturday

    plan_day(tenant=tenant, day=SATURDAY)

    saturday = {task.payer: task for task in ContactTask.objects.for_tenant(tenant)}
    assert (saturday[business].state, hours(saturday[business])) == (
        ContactTask.State.PLANNED,
        (H(9), H(14)),
    )
    assert (saturday[consumer].state, saturday[consumer].deferred_reason) == (
        ContactTask.State.DEFERRED,
        Reason.CONSUMER_HOURS,
    )

    plan_day(tenant=tenant, day=MONDAY)

    monday = ContactTask.objects.for_tenant(tenant).get(payer=consumer, planned_date=MONDAY)
    # Carried, not dropped; Monday is +5, whose voice message is the more advanced contact.
    assert (monday.channel, monday.state, hours(monday)) == (
        "voice",
        ContactTask.State.PLANNED,
        (H(9), H(19)),
    )
    assert monday.invoices.count() == 1
    saturday[consumer].refresh_from_db()
    assert saturday[consumer].deferred_to == MONDAY


def test_the_outbox_holds_a_consumers_message_to_the_consumers_hours(tenant):
    ContactWindow.objects.create(
        tenant=tenant, channel="sms", weekday_start=H(9), weekday_end=H(20)
    )
    business, consumer = payers(tenant)
    evening = datetime.datetime.combine(FRIDAY, H(19, 30), tzinfo=tenant.zone)

    def queued(payer):
        return enqueue_message(
            tenant=tenant,
            payer=payer,
            channel="sms",
            recipient="+48601234567",
            body="Prosimy o wpłatę.",
            now=evening,
        )

    assert queued(business).due_at == evening
    # No Saturday in the client's SMS window, so none for its consumers either.
    assert queued(consumer).due_at == datetime.datetime.combine(MONDAY, H(9), tzinfo=tenant.zone)
