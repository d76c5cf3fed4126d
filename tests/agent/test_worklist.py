"""The worklist: today's call tasks of the team's clients, in an order a supervisor can explain."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone, translation

from agent.selectors import Band, queue_counts, worklist
from contact_schedule.models import ContactTask, Outcome
from tenants.selectors import tenant_today
from tests.agent.helpers import call_task, owing_payer


def test_order_is_callback_then_promise_then_amount_then_pre_due(tenant, consultant):
    now = timezone.now()
    today = tenant_today(tenant)
    small, small_invoices = owing_payer(tenant, amount="500.00", days_overdue=30)
    big, big_invoices = owing_payer(tenant, amount="9000.00", days_overdue=5)
    courtesy, courtesy_invoices = owing_payer(tenant, amount="20000.00", days_overdue=-2)
    promised, promised_invoices = owing_payer(tenant, amount="100.00", days_overdue=3)
    called_back, called_back_invoices = owing_payer(tenant, amount="50.00", days_overdue=3)
    call_task(tenant, small, small_invoices)
    call_task(tenant, big, big_invoices)
    call_task(tenant, courtesy, courtesy_invoices, pre_due=True)
    call_task(tenant, promised, promised_invoices)
    callback = call_task(tenant, called_back, called_back_invoices)
    ContactTask.objects.filter(pk=callback.pk).update(
        callback_at=now - datetime.timedelta(minutes=5)
    )
    Outcome.objects.create(
        tenant=tenant,
        payer=promised,
        kind=Outcome.Kind.PROMISE,
        source=Outcome.Source.AGENT,
        promised_date=today,
        promised_amount=Decimal("100.00"),
        promise_state=Outcome.PromiseState.PENDING,
    )

    with translation.override("pl"):
        rows = worklist(user=consultant, now=now)

    assert [row.task.payer for row in rows] == [called_back, promised, big, small, courtesy]
    assert [row.band for row in rows] == [
        Band.CALLBACK,
        Band.PROMISE,
        Band.OVERDUE,
        Band.OVERDUE,
        Band.PRE_DUE,
    ]
    assert all(row.takeable for row in rows)
    assert "9\u00a0000,00\u00a0zł" in rows[2].why and "5" in rows[2].why
    assert rows[3].days_overdue == 30


def test_a_callback_agreed_for_later_waits_until_its_time(tenant, consultant):
    now = timezone.now()
    payer, invoices = owing_payer(tenant, amount="99999.00")
    task = call_task(tenant, payer, invoices)
    ContactTask.objects.filter(pk=task.pk).update(callback_at=now + datetime.timedelta(minutes=30))

    (row,) = worklist(user=consultant, now=now)

    assert row.band == Band.LATER
    assert not row.takeable
    assert (
        timezone.localtime(now + datetime.timedelta(minutes=30), tenant.zone).strftime("%H:%M")
        in row.why
    )


def test_only_the_team_clients_tasks_of_today_are_listed(tenant, other_tenant, consultant):
    mine, my_invoices = owing_payer(tenant)
    theirs, their_invoices = owing_payer(other_tenant)
    call_task(tenant, mine, my_invoices)
    call_task(other_tenant, theirs, their_invoices)
    yesterday = call_task(tenant, *owing_payer(tenant))
    ContactTask.objects.filter(pk=yesterday.pk).update(
        planned_date=tenant_today(tenant) - datetime.timedelta(days=1)
    )

    rows = worklist(user=consultant)

    assert [row.task.payer for row in rows] == [mine]


def test_counts_per_client_and_stage(tenant, consultant):
    for _ in range(2):
        call_task(tenant, *owing_payer(tenant))
    call_task(tenant, *owing_payer(tenant, days_overdue=-2), pre_due=True)
    done = call_task(tenant, *owing_payer(tenant))
    ContactTask.objects.filter(pk=done.pk).update(state=ContactTask.State.DONE)

    counts = {
        (c.tenant_id, c.stage): (c.waiting, c.claimed, c.done)
        for c in queue_counts(clients=[tenant])
    }

    assert counts == {(tenant.pk, "overdue"): (2, 0, 1), (tenant.pk, "pre_due"): (1, 0, 0)}


def test_the_page_shows_each_row_with_its_reason(tenant, consultant_client):
    payer, invoices = owing_payer(tenant, name="Zakład Stolarski Wiśniewski", days_overdue=12)
    call_task(tenant, payer, invoices)

    response = consultant_client.get(reverse("agent:worklist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Zakład Stolarski Wiśniewski" in page
    assert "12" in page and 'id="next-call"' in page


def test_a_payer_owing_in_two_currencies_is_shown_per_currency_never_summed(
    tenant, consultant, consultant_client
):
    payer, invoices = owing_payer(tenant, amount="1230.00", invoices=2)
    invoices[1].currency = "EUR"
    invoices[1].gross_amount = invoices[1].outstanding_amount = Decimal("500.00")
    invoices[1].save()
    call_task(tenant, payer, invoices)

    (row,) = worklist(user=consultant)
    with translation.override("pl"):
        (polish,) = worklist(user=consultant)

    assert row.owed == "PLN\xa01,230.00 + EUR\xa0500.00"
    assert row.why.startswith("PLN\xa01,230.00 + EUR\xa0500.00 owed")
    assert polish.owed == "1\xa0230,00\xa0zł + 500,00\xa0EUR"
    page = consultant_client.get(reverse("agent:worklist")).content.decode()
    assert "PLN\xa01,230.00 + EUR\xa0500.00" in page and "1,730.00" not in page


def test_outside_the_call_hours_a_row_says_when_they_open_or_that_they_are_over(tenant, consultant):
    now = timezone.now()
    early = call_task(tenant, *owing_payer(tenant, amount="500.00"), now=now)
    late = call_task(tenant, *owing_payer(tenant, amount="400.00"), now=now)
    ContactTask.objects.filter(pk=early.pk).update(
        window_start=now + datetime.timedelta(hours=1), window_end=now + datetime.timedelta(hours=3)
    )
    ContactTask.objects.filter(pk=late.pk).update(
        window_start=now - datetime.timedelta(hours=3), window_end=now - datetime.timedelta(hours=1)
    )
    opens = timezone.localtime(now + datetime.timedelta(hours=1), tenant.zone).strftime("%H:%M")

    rows = {row.task.pk: row for row in worklist(user=consultant, now=now)}

    assert rows[early.pk].why.startswith(f"Call hours from {opens} · ")
    assert rows[late.pk].why.startswith("Call hours over for today (carried to the next day) · ")
    assert not rows[early.pk].takeable and not rows[late.pk].takeable
