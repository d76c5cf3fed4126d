"""Stop and pause rules as the planner sees them: paid, cancelled, do-not-contact, bankruptcy and
death stop contact; a manual pause on an invoice or a payer stops it until its end date and then
resumes by itself, with its history kept."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from contact_schedule import holds
from contact_schedule.models import ContactTask, ContactTaskInvoice, Hold
from contact_schedule.planner import plan_day
from contact_schedule.selectors import holds_of, monitored_invoices
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
# The default schedule calls on +3 and +7: an invoice due on Monday 7 December 2026 is called
# about on Thursday 10th and Monday 14th.
DUE = D(2026, 12, 7)
CALL_3 = D(2026, 12, 10)
CALL_7 = D(2026, 12, 14)


def overdue_invoice(payer, **fields):
    return InvoiceFactory(payer=payer, issue_date=DUE - 30 * DAY, due_date=DUE, **fields)


def covered_on(tenant, day) -> set[int]:
    plan_day(tenant=tenant, day=day)
    return set(
        ContactTaskInvoice.objects.for_tenant(tenant)
        .filter(task__planned_date=day)
        .values_list("invoice_id", flat=True)
    )


@pytest.fixture
def payer(tenant):
    return PayerFactory(tenant=tenant)


def test_paid_and_cancelled_invoices_are_not_contacted_about(tenant, payer):
    open_invoice = overdue_invoice(payer)
    overdue_invoice(payer, status="paid", outstanding_amount=0, paid_on=DUE)
    overdue_invoice(payer, status="cancelled")

    assert covered_on(tenant, CALL_3) == {open_invoice.pk}


def test_a_do_not_contact_payer_gets_no_task(tenant):
    payer = PayerFactory(
        tenant=tenant, do_not_contact=True, do_not_contact_reason="Client's instruction"
    )
    overdue_invoice(payer)

    assert covered_on(tenant, CALL_3) == set()
    assert not ContactTask.objects.for_tenant(tenant).exists()


@pytest.mark.parametrize("kind", [Hold.Kind.BANKRUPTCY, Hold.Kind.DEATH])
def test_bankruptcy_or_death_stops_contact_for_good(tenant, payer, kind):
    overdue_invoice(payer)
    hold = holds.stop_payer(tenant=tenant, payer=payer, kind=kind, reason="KRS entry")

    assert hold.ends_on is None
    assert covered_on(tenant, CALL_3) == set()
    assert covered_on(tenant, CALL_7 + 365 * DAY) == set()


def test_stop_payer_only_takes_bankruptcy_or_death(tenant, payer):
    with pytest.raises(ValidationError) as caught:
        holds.stop_payer(tenant=tenant, payer=payer, kind=Hold.Kind.MANUAL, reason="x")
    assert "kind" in caught.value.message_dict


def test_a_manual_pause_on_one_invoice_skips_it_then_resumes_by_itself(tenant, payer):
    paused = overdue_invoice(payer)
    other = overdue_invoice(payer)
    holds.pause(
        tenant=tenant, payer=payer, invoice=paused, reason="Client talks to them", ends_on=CALL_3
    )

    assert covered_on(tenant, CALL_3) == {other.pk}  # the payer is still called about the other
    assert covered_on(tenant, CALL_7) == {paused.pk, other.pk}  # and the pause has ended
    assert holds_of(tenant=tenant, payer=payer).count() == 1  # history kept


def test_a_manual_pause_on_a_payer_skips_all_its_invoices_until_the_end_date(tenant, payer):
    overdue_invoice(payer)
    other_payer = PayerFactory(tenant=tenant)
    overdue_invoice(other_payer)
    holds.pause(tenant=tenant, payer=payer, reason="Negotiating", ends_on=CALL_7 - DAY)

    plan_day(tenant=tenant, day=CALL_3)
    assert set(ContactTask.objects.for_tenant(tenant).values_list("payer_id", flat=True)) == {
        other_payer.pk
    }
    plan_day(tenant=tenant, day=CALL_7)
    assert ContactTask.objects.for_tenant(tenant).filter(payer=payer, planned_date=CALL_7).exists()


def test_a_lifted_pause_resumes_contact_and_stays_in_the_history(tenant, payer):
    invoice = overdue_invoice(payer)
    hold = holds.pause(tenant=tenant, payer=payer, reason="Mistake", ends_on=CALL_7)

    holds.lift_hold(tenant=tenant, hold=hold)

    assert covered_on(tenant, CALL_3) == {invoice.pk}
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert list(holds_of(tenant=tenant, payer=payer)) == [hold]


def test_an_escalation_hold_cannot_be_lifted_by_hand(tenant, payer):
    invoice = overdue_invoice(payer)
    hold = holds.pause(
        tenant=tenant,
        payer=payer,
        invoice=invoice,
        kind=Hold.Kind.ESCALATED,
        reason="90 days",
        ends_on=None,
    )
    with pytest.raises(ValidationError):
        holds.lift_hold(tenant=tenant, hold=hold)


def test_a_pause_must_say_why_and_when_it_ends(tenant, payer):
    today = tenant_today(tenant)
    with pytest.raises(ValidationError) as caught:
        holds.pause(tenant=tenant, payer=payer, reason=" ", ends_on=None)
    assert set(caught.value.message_dict) == {"reason", "ends_on"}
    with pytest.raises(ValidationError) as caught:
        holds.pause(tenant=tenant, payer=payer, reason="x", ends_on=today - DAY)
    assert "ends_on" in caught.value.message_dict
    assert not Hold.objects.exists()


def test_a_pause_on_another_payers_or_clients_invoice_is_refused(tenant, other_tenant, payer):
    neighbours = overdue_invoice(PayerFactory(tenant=tenant))
    with pytest.raises(ValidationError) as caught:
        holds.pause(tenant=tenant, payer=payer, invoice=neighbours, reason="x", ends_on=CALL_7)
    assert "invoice" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        holds.pause(tenant=other_tenant, payer=payer, reason="x", ends_on=CALL_7)
    assert "payer" in caught.value.message_dict
    assert not Hold.objects.exists()


def test_another_clients_hold_does_not_pause_this_clients_invoices(tenant, other_tenant):
    mine = overdue_invoice(PayerFactory(tenant=tenant))
    theirs = PayerFactory(tenant=other_tenant)
    holds.pause(tenant=other_tenant, payer=theirs, reason="x", ends_on=CALL_7)

    assert list(monitored_invoices(tenant=tenant, day=CALL_3)) == [mine]
