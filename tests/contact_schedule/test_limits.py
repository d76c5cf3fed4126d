"""The client's contact limits and the operator's budget per NIP, enforced by the planner; a
limited contact is deferred and carried, never dropped."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule.models import ContactLimits, ContactTask, OperatorContactBudget, ScheduleStep
from contact_schedule.planner import plan_day
from invoices.models import Invoice
from tests.factories import InvoiceFactory, PayerFactory, TenantFactory

pytestmark = pytest.mark.django_db

D = datetime.date
FRIDAY = D(2026, 12, 11)
Reason = ContactTask.DeferralReason


def invoice(payer, due: datetime.date, **fields) -> Invoice:
    return InvoiceFactory(
        payer=payer, issue_date=due - datetime.timedelta(days=30), due_date=due, **fields
    )


def past_contact(tenant, payer, day, channel, *, at: datetime.time = datetime.time(19)):
    """A contact made (task done) on `day` at `at`, the client's local time."""
    step = ScheduleStep.objects.filter(channel=channel, version__template__tenant=None).first()
    moment = datetime.datetime.combine(day, at, tzinfo=tenant.zone)
    return ContactTask.objects.create(
        tenant=tenant,
        payer=payer,
        planned_date=day,
        channel=channel,
        step=step,
        state=ContactTask.State.DONE,
        window_start=moment - datetime.timedelta(hours=1),
        window_end=moment + datetime.timedelta(minutes=30),
        responded_at=moment,
    )


def todays_task(tenant, payer, day=FRIDAY) -> ContactTask:
    return ContactTask.objects.for_tenant(tenant).get(payer=payer, planned_date=day)


def test_the_weekly_limit_defers_the_contact_and_the_next_free_day_carries_it(tenant):
    ContactLimits.objects.create(tenant=tenant, max_contacts_per_week=2)
    payer = PayerFactory(tenant=tenant)
    overdue = invoice(payer, FRIDAY - datetime.timedelta(days=7))  # +7: call on Friday
    past_contact(tenant, payer, D(2026, 12, 5), "sms")  # Saturday a week ago minus one
    past_contact(tenant, payer, D(2026, 12, 9), "call")

    result = plan_day(tenant=tenant, day=FRIDAY)

    task = todays_task(tenant, payer)
    deferred = (ContactTask.State.DEFERRED, Reason.CONTACTS_PER_WEEK)
    assert (task.state, task.deferred_reason) == deferred
    assert list(task.invoices.all()) == [overdue]  # deferred, not dropped
    assert result.tasks_created == 1

    plan_day(tenant=tenant, day=D(2026, 12, 12))  # the contact of 5 December left the week

    carried = todays_task(tenant, payer, D(2026, 12, 12))
    assert carried.state == ContactTask.State.PLANNED
    assert list(carried.invoices.all()) == [overdue]
    assert todays_task(tenant, payer).deferred_to == D(2026, 12, 12)


def test_under_the_weekly_limit_the_contact_is_planned(tenant):
    ContactLimits.objects.create(tenant=tenant, max_contacts_per_week=3)
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=7))
    past_contact(tenant, payer, D(2026, 12, 9), "call")
    past_contact(tenant, payer, D(2026, 12, 10), "sms")

    plan_day(tenant=tenant, day=FRIDAY)

    assert todays_task(tenant, payer).state == ContactTask.State.PLANNED


def test_the_sms_limit_defers_an_sms_but_not_a_call(tenant):
    ContactLimits.objects.create(tenant=tenant, max_sms_per_week=1, max_contacts_per_week=9)
    texted, called = PayerFactory(tenant=tenant), PayerFactory(tenant=tenant)
    invoice(texted, FRIDAY - datetime.timedelta(days=1))  # +1: SMS
    invoice(called, FRIDAY - datetime.timedelta(days=7))  # +7: call
    for payer in (texted, called):
        past_contact(tenant, payer, D(2026, 12, 8), "sms")

    plan_day(tenant=tenant, day=FRIDAY)

    sms = todays_task(tenant, texted)
    assert (sms.channel, sms.state, sms.deferred_reason) == (
        "sms",
        ContactTask.State.DEFERRED,
        Reason.SMS_PER_WEEK,
    )
    assert todays_task(tenant, called).state == ContactTask.State.PLANNED


def test_the_minimum_interval_starts_the_window_later_or_defers(tenant):
    limits = ContactLimits.objects.create(
        tenant=tenant, max_contacts_per_week=9, min_hours_between_contacts=14
    )
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=7))
    past_contact(tenant, payer, D(2026, 12, 10), "call", at=datetime.time(19))

    plan_day(tenant=tenant, day=FRIDAY)

    task = todays_task(tenant, payer)
    assert task.state == ContactTask.State.PLANNED
    assert task.window_start.astimezone(tenant.zone).time() == datetime.time(9)  # 19:00 + 14 h
    assert task.window_end.astimezone(tenant.zone).time() == datetime.time(20)

    task.delete()
    limits.min_hours_between_contacts = 26
    limits.save()
    plan_day(tenant=tenant, day=FRIDAY)

    task = todays_task(tenant, payer)
    assert (task.state, task.deferred_reason) == (ContactTask.State.DEFERRED, Reason.MIN_INTERVAL)
    assert task.window_start.astimezone(tenant.zone).time() == datetime.time(8)  # unchanged


def test_call_attempts_are_capped_by_the_clients_daily_limit(tenant):
    ContactLimits.objects.create(tenant=tenant, max_call_attempts_per_day=2)
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=7))  # the default step: 3 attempts

    plan_day(tenant=tenant, day=FRIDAY)

    assert todays_task(tenant, payer).attempts == 2


def test_no_contact_a_day_defers_everything(tenant):
    ContactLimits.objects.create(tenant=tenant, max_contacts_per_day=0)
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=7))

    plan_day(tenant=tenant, day=FRIDAY)

    assert todays_task(tenant, payer).deferred_reason == Reason.CONTACTS_PER_DAY


def test_consumers_get_the_gentler_of_the_clients_and_the_operators_limits(tenant):
    """The client allows two contacts a week; the operator's defaults say one and a longer
    interval: a business payer gets the client's figures, a consumer the gentler ones."""
    ContactLimits.objects.filter(tenant__isnull=True).delete()
    ContactLimits.objects.create(
        max_contacts_per_week=1, max_call_attempts_per_day=1, min_hours_between_contacts=6
    )
    ContactLimits.objects.create(
        tenant=tenant,
        max_contacts_per_week=2,
        max_call_attempts_per_day=3,
        min_hours_between_contacts=2,
    )
    business = PayerFactory(tenant=tenant, kind="business")
    consumer = PayerFactory(tenant=tenant, kind="consumer")
    fresh_consumer = PayerFactory(tenant=tenant, kind="consumer")
    for payer in (business, consumer, fresh_consumer):
        invoice(payer, FRIDAY - datetime.timedelta(days=7))  # +7: call on Friday
    for payer in (business, consumer):
        past_contact(tenant, payer, D(2026, 12, 9), "call")

    plan_day(tenant=tenant, day=FRIDAY)

    assert todays_task(tenant, business).state == ContactTask.State.PLANNED
    assert todays_task(tenant, business).attempts == 3
    held_back = todays_task(tenant, consumer)
    assert (held_back.state, held_back.deferred_reason) == (
        ContactTask.State.DEFERRED,
        Reason.CONTACTS_PER_WEEK,
    )
    assert todays_task(tenant, fresh_consumer).state == ContactTask.State.PLANNED
    assert todays_task(tenant, fresh_consumer).attempts == 1


def test_consumers_wait_the_longer_of_the_two_intervals(tenant):
    ContactLimits.objects.filter(tenant__isnull=True).delete()
    ContactLimits.objects.create(max_contacts_per_week=9, min_hours_between_contacts=14)
    ContactLimits.objects.create(
        tenant=tenant, max_contacts_per_week=9, min_hours_between_contacts=4
    )
    business = PayerFactory(tenant=tenant, kind="business")
    consumer = PayerFactory(tenant=tenant, kind="consumer")
    for payer in (business, consumer):
        invoice(payer, FRIDAY - datetime.timedelta(days=7))
        past_contact(tenant, payer, D(2026, 12, 10), "call", at=datetime.time(19))

    plan_day(tenant=tenant, day=FRIDAY)

    start = {
        payer.kind: todays_task(tenant, payer).window_start.astimezone(tenant.zone).time()
        for payer in (business, consumer)
    }
    assert start == {"business": datetime.time(8), "consumer": datetime.time(9)}  # 19:00 + 14 h


# --- The operator's budget, across clients ------------------------------------------------------


def same_company(nip: str = "5260250274"):
    """One company (one NIP) monitored for two clients: (client, payer) twice."""
    first, second = TenantFactory(), TenantFactory()
    return (
        (first, PayerFactory(tenant=first, nip=nip)),
        (second, PayerFactory(tenant=second, nip=nip)),
    )


def test_calls_to_one_nip_across_clients_stay_within_the_operators_daily_budget():
    (client_a, payer_a), (client_b, payer_b) = same_company()
    invoice(payer_a, FRIDAY - datetime.timedelta(days=7))
    invoice(payer_b, FRIDAY - datetime.timedelta(days=3))
    plan_day(tenant=client_b, day=FRIDAY)  # B's call takes the 3 attempts of the budget

    plan_day(tenant=client_a, day=FRIDAY)

    task_b, task_a = todays_task(client_b, payer_b), todays_task(client_a, payer_a)
    assert (task_b.state, task_b.attempts) == (ContactTask.State.PLANNED, 3)
    assert (task_a.state, task_a.deferred_reason) == (
        ContactTask.State.DEFERRED,
        Reason.OPERATOR_BUDGET,
    )
    # Nothing of B on A's records: A's task covers A's invoice, its payer is A's.
    assert task_a.payer_id == payer_a.pk
    assert {inv.tenant_id for inv in task_a.invoices.all()} == {client_a.pk}


def test_what_is_left_of_the_budget_caps_the_next_clients_attempts():
    budget = OperatorContactBudget.objects.get()
    budget.max_calls_per_day = 5
    budget.save()
    (client_a, payer_a), (client_b, payer_b) = same_company()
    invoice(payer_a, FRIDAY - datetime.timedelta(days=7))
    invoice(payer_b, FRIDAY - datetime.timedelta(days=3))
    plan_day(tenant=client_b, day=FRIDAY)

    plan_day(tenant=client_a, day=FRIDAY)

    assert todays_task(client_a, payer_a).attempts == 2  # 5 − B's 3


def test_other_nips_and_payers_without_a_nip_do_not_share_a_budget():
    (client_a, payer_a), (client_b, _payer_b) = same_company()
    other_company = PayerFactory(tenant=client_b)
    consumer_a = PayerFactory(tenant=client_a, nip="", kind="consumer")
    consumer_b = PayerFactory(tenant=client_b, nip="", kind="consumer")
    for payer, days in ((other_company, 3), (consumer_b, 3), (payer_a, 7), (consumer_a, 7)):
        invoice(payer, FRIDAY - datetime.timedelta(days=days))
    plan_day(tenant=client_b, day=FRIDAY)

    plan_day(tenant=client_a, day=FRIDAY)

    assert todays_task(client_a, payer_a).state == ContactTask.State.PLANNED
    assert todays_task(client_a, consumer_a).state == ContactTask.State.PLANNED


def test_sms_to_one_nip_across_clients_stay_within_the_weekly_budget():
    (client_a, payer_a), (client_b, payer_b) = same_company()
    past_contact(client_b, payer_b, D(2026, 12, 7), "sms")
    past_contact(client_b, payer_b, D(2026, 12, 9), "sms")
    invoice(payer_a, FRIDAY - datetime.timedelta(days=1))  # +1: SMS

    plan_day(tenant=client_a, day=FRIDAY)

    task = todays_task(client_a, payer_a)
    assert (task.channel, task.deferred_reason) == ("sms", Reason.OPERATOR_BUDGET)


def test_the_operators_quiet_hours_shorten_every_window(tenant):
    budget = OperatorContactBudget.objects.get()
    budget.quiet_hours_start, budget.quiet_hours_end = datetime.time(19), datetime.time(10)
    budget.save()
    payer = PayerFactory(tenant=tenant)
    invoice(payer, FRIDAY - datetime.timedelta(days=7))

    plan_day(tenant=tenant, day=FRIDAY)

    task = todays_task(tenant, payer)
    local = (task.window_start.astimezone(tenant.zone), task.window_end.astimezone(tenant.zone))
    assert (local[0].time(), local[1].time()) == (datetime.time(10), datetime.time(19))


def test_the_outbox_windows_keep_the_quiet_hours_too(tenant):
    from contact_schedule.windows import is_inside_window, window_at_or_after

    budget = OperatorContactBudget.objects.get()
    budget.quiet_hours_start, budget.quiet_hours_end = datetime.time(19), datetime.time(10)
    budget.save()
    morning = datetime.datetime.combine(FRIDAY, datetime.time(9), tzinfo=tenant.zone)

    start, end = window_at_or_after(tenant=tenant, channel="call", moment=morning)

    assert (start.time(), end.time()) == (datetime.time(10), datetime.time(19))
    assert not is_inside_window(tenant=tenant, channel="call", moment=morning)
