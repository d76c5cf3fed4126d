"""`record_outcome`: bad input is refused with a field dict and nothing written; the task is
closed for final outcomes and left open for another attempt after no answer or voicemail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from contact_schedule.models import ContactTask, Hold, Outcome
from contact_schedule.outcomes import record_outcome
from contact_schedule.planner import plan_day
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def payer(tenant):
    return PayerFactory(tenant=tenant)


def refused(**kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        record_outcome(**kwargs)
    return caught.value.message_dict


def test_a_promise_needs_a_date_that_has_not_passed(tenant, payer):
    InvoiceFactory(payer=payer)
    base = {"tenant": tenant, "payer": payer, "kind": "promise", "source": "agent"}

    assert "promised_date" in refused(**base)
    yesterday = tenant_today(tenant) - DAY
    assert "promised_date" in refused(**base, promised_date=yesterday)
    far = tenant_today(tenant) + datetime.timedelta(days=200)
    assert "payment plan" in refused(**base, promised_date=far)["promised_date"][0]
    assert "promised_amount" in refused(
        **base, promised_date=tenant_today(tenant) + DAY, promised_amount=Decimal("-5")
    )
    assert not Outcome.objects.exists()
    assert not Hold.objects.exists()


def test_invoices_of_another_payer_or_client_are_refused(tenant, other_tenant, payer):
    mine = InvoiceFactory(payer=payer)
    neighbours = InvoiceFactory(payer=PayerFactory(tenant=tenant))
    foreign = InvoiceFactory(payer=PayerFactory(tenant=other_tenant))

    errors = refused(
        tenant=tenant,
        payer=payer,
        kind="dispute",
        source="agent",
        dispute_category="quality",
        invoices=[mine, neighbours, foreign],
    )

    assert neighbours.number in errors["invoices"][0]
    assert foreign.number in errors["invoices"][0]
    assert mine.number not in errors["invoices"][0]
    assert not Outcome.objects.exists()


def test_another_clients_payer_is_refused(tenant, other_tenant):
    stranger = PayerFactory(tenant=other_tenant)
    errors = refused(tenant=tenant, payer=stranger, kind="reached", source="agent")
    assert "payer" in errors


def test_unknown_kind_source_and_category_are_named(tenant, payer):
    errors = refused(
        tenant=tenant, payer=payer, kind="shouted", source="pigeon", dispute_category="mood"
    )
    assert set(errors) == {"kind", "source", "dispute_category"}


def test_a_dispute_needs_a_category(tenant, payer):
    InvoiceFactory(payer=payer)
    errors = refused(tenant=tenant, payer=payer, kind="dispute", source="agent")
    assert "dispute_category" in errors


def test_a_callback_in_the_past_or_without_a_zone_is_refused(tenant, payer):
    base = {"tenant": tenant, "payer": payer, "kind": "callback", "source": "agent"}
    assert "callback_at" in refused(**base)
    assert "callback_at" in refused(
        **base, callback_at=timezone.now() - datetime.timedelta(hours=1)
    )
    naive = datetime.datetime(2030, 1, 2, 10, 0)
    assert "time zone" in refused(**base, callback_at=naive)["callback_at"][0]


def test_a_wrong_number_must_name_one_of_the_payers_contacts(tenant, payer):
    base = {"tenant": tenant, "payer": payer, "kind": "wrong_number", "source": "agent"}
    assert "contact_value" in refused(**base)
    assert "contact_value" in refused(**base, contact_value="+48111222333")


def test_a_payment_claimed_in_the_future_is_refused(tenant, payer):
    InvoiceFactory(payer=payer)
    errors = refused(
        tenant=tenant,
        payer=payer,
        kind="already_paid",
        source="agent",
        claimed_paid_date=tenant_today(tenant) + DAY,
    )
    assert "claimed_paid_date" in errors


def test_a_promise_about_nothing_open_is_refused(tenant, payer):
    InvoiceFactory(payer=payer, outstanding_amount=Decimal("0"), status="paid")
    errors = refused(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="agent",
        promised_date=tenant_today(tenant) + DAY,
    )
    assert "invoices" in errors


def _task_for(tenant, payer) -> ContactTask:
    """The payer's real task of a day: an invoice at +3 (a call) planned by the planner."""
    day = datetime.date(2026, 12, 10)  # Thursday
    InvoiceFactory(payer=payer, issue_date=day - 30 * DAY, due_date=day - 3 * DAY)
    InvoiceFactory(payer=payer, issue_date=day - 30 * DAY, due_date=day - 10 * DAY)
    plan_day(tenant=tenant, day=day)
    return ContactTask.objects.for_tenant(tenant).get(payer=payer)


def test_no_answer_leaves_the_task_open_for_the_next_attempt(tenant, payer):
    task = _task_for(tenant, payer)

    outcome = record_outcome(
        tenant=tenant, payer=payer, kind="no_answer", source="status", task=task
    )

    task.refresh_from_db()
    assert task.state == ContactTask.State.PLANNED
    assert task.responded_at is None
    assert outcome.invoices.count() == 2  # the task's covered invoices by default


def test_reached_closes_the_task_and_marks_the_response(tenant, payer):
    task = _task_for(tenant, payer)

    record_outcome(tenant=tenant, payer=payer, kind="reached", source="agent", task=task)

    task.refresh_from_db()
    assert task.state == ContactTask.State.DONE
    assert task.responded_at is not None


def test_a_task_of_another_payer_is_refused(tenant, payer):
    task = _task_for(tenant, payer)
    other = PayerFactory(tenant=tenant)
    errors = refused(tenant=tenant, payer=other, kind="reached", source="agent", task=task)
    assert "task" in errors


def test_refused_with_a_number_blocks_that_number_only(tenant, payer):
    blocked = PayerContactFactory(payer=payer, value="+48601000001")
    kept = PayerContactFactory(payer=payer, value="+48601000002")

    outcome = record_outcome(
        tenant=tenant, payer=payer, kind="refused", source="sms", contact_value="601 000 001"
    )

    blocked.refresh_from_db()
    kept.refresh_from_db()
    assert outcome.contact_value == "+48601000001"
    assert blocked.opted_out_at is not None and not blocked.is_usable
    assert kept.is_usable


def test_an_overlong_contact_value_is_refused_not_a_database_error(tenant, payer):
    errors = refused(
        tenant=tenant, payer=payer, kind="note", source="agent", contact_value="9" * 300
    )
    assert "too long" in errors["contact_value"][0]


def test_the_same_message_recorded_twice_gives_the_first_outcome(tenant, payer):
    InvoiceFactory(payer=payer)
    promised = tenant_today(tenant) + DAY
    first = record_outcome(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="voice",
        promised_date=promised,
        message_id=42,
    )
    again = record_outcome(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="voice",
        promised_date=promised,
        message_id=42,
    )

    assert again == first
    assert Hold.objects.for_tenant(tenant).count() == 1  # the effect applied once
