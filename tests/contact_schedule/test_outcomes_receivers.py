"""The dunning signals, sent as dunning sends them, become outcomes (contract §2)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from contact_schedule.models import ContactTask, Hold, Outcome
from dunning import signals
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def payer(tenant):
    return PayerFactory(tenant=tenant)


@pytest.fixture
def invoice(payer):
    return InvoiceFactory(payer=payer)


def send_result(tenant, payer, result, recipient="+48601000031", message_id=1):
    signals.contact_result.send(
        sender="dunning.outbox",
        tenant_id=tenant.pk,
        payer_id=payer.pk,
        contact_task_id=None,
        message_id=message_id,
        channel="sms",
        result=result,
        recipient=recipient,
        occurred_at=timezone.now(),
    )


@pytest.mark.parametrize("result", ["reached", "no_answer", "voicemail"])
def test_a_status_result_is_recorded_with_its_kind(tenant, payer, invoice, result):
    send_result(tenant, payer, result)

    outcome = Outcome.objects.for_tenant(tenant).get()
    assert (outcome.kind, outcome.source, outcome.message_id) == (result, "status", 1)


def test_the_same_status_delivered_twice_is_recorded_once(tenant, payer, invoice):
    send_result(tenant, payer, "reached", message_id=7)
    send_result(tenant, payer, "reached", message_id=7)

    assert Outcome.objects.for_tenant(tenant).count() == 1


def test_a_wrong_number_result_marks_the_number(tenant, payer, invoice):
    contact = PayerContactFactory(payer=payer, value="+48601000031")
    PayerContactFactory(payer=payer, value="+48601000032")

    send_result(tenant, payer, "wrong_number", recipient=contact.value)

    contact.refresh_from_db()
    assert contact.is_wrong
    assert Outcome.objects.for_tenant(tenant).get().kind == "wrong_number"


def test_a_result_for_another_clients_payer_is_dropped(tenant, other_tenant, payer, invoice):
    send_result(other_tenant, payer, "reached")
    assert not Outcome.objects.exists()


def send_sms(tenant, payer, intent, body, number="+48601000041", message_id=11):
    signals.inbound_sms_received.send(
        sender="dunning.inbound",
        tenant_id=tenant.pk,
        payer_id=payer.pk,
        contact_task_id=None,
        message_id=message_id,
        intent=intent,
        body=body,
        sender_number=number,
        received_at=timezone.now(),
    )


def test_an_sms_opt_out_blocks_the_number_and_records_a_refusal(tenant, payer, invoice):
    contact = PayerContactFactory(payer=payer, value="+48601000041")

    send_sms(tenant, payer, "opt_out", "STOP")

    contact.refresh_from_db()
    assert contact.opted_out_at is not None
    outcome = Outcome.objects.for_tenant(tenant).get()
    assert (outcome.kind, outcome.source, outcome.contact_value) == (
        "refused",
        "sms",
        "+48601000041",
    )


def test_an_opt_out_from_an_unknown_number_is_still_recorded(tenant, payer, invoice):
    send_sms(tenant, payer, "opt_out", "STOP", number="+48601999999")

    outcome = Outcome.objects.for_tenant(tenant).get()
    assert outcome.kind == "refused" and outcome.note == "STOP"


def test_an_sms_saying_paid_pauses_awaiting_the_payment(tenant, payer, invoice):
    send_sms(tenant, payer, "paid", "Zapłaciłem wczoraj")

    outcome = Outcome.objects.for_tenant(tenant).get()
    assert outcome.kind == "already_paid"
    assert Hold.objects.for_tenant(tenant).get().invoice == invoice


def test_any_other_sms_is_a_note(tenant, payer, invoice):
    send_sms(tenant, payer, "note", "Proszę o kontakt z księgowością")

    outcome = Outcome.objects.for_tenant(tenant).get()
    assert (outcome.kind, outcome.note) == ("note", "Proszę o kontakt z księgowością")


def send_voice(tenant, payer, meaning, promise_date=None, invoice_ids=(), message_id=21):
    signals.voice_answer_received.send(
        sender="dunning.voice",
        tenant_id=tenant.pk,
        payer_id=payer.pk,
        contact_task_id=None,
        message_id=message_id,
        digit="1" if meaning == "promise" else "2",
        meaning=meaning,
        promise_date=promise_date,
        invoice_ids=list(invoice_ids),
        occurred_at=timezone.now(),
    )


def test_a_voice_keypress_promise_pauses_the_invoices_named(tenant, payer, invoice):
    other = InvoiceFactory(payer=payer)
    promised = tenant_today(tenant) + 3 * DAY

    send_voice(tenant, payer, "promise", promise_date=promised, invoice_ids=[invoice.pk])

    outcome = Outcome.objects.for_tenant(tenant).get()
    assert (outcome.kind, outcome.promised_date) == ("promise", promised)
    assert list(outcome.invoices.all()) == [invoice]
    assert other.pk not in Hold.objects.values_list("invoice_id", flat=True)


def test_a_voice_keypress_promise_ignores_foreign_invoice_ids(tenant, other_tenant, payer, invoice):
    foreign = InvoiceFactory(payer=PayerFactory(tenant=other_tenant))

    send_voice(
        tenant,
        payer,
        "promise",
        promise_date=tenant_today(tenant) + DAY,
        invoice_ids=[foreign.pk, invoice.pk],
    )

    assert list(Outcome.objects.for_tenant(tenant).get().invoices.all()) == [invoice]


def test_a_voice_keypress_callback_plans_a_call_inside_the_call_window(tenant, payer, invoice):
    PayerContactFactory(payer=payer)
    ContactTask.objects.create(  # an earlier contact gives the callback its step
        tenant=tenant,
        payer=payer,
        planned_date=tenant_today(tenant) - 7 * DAY,
        channel="voice",
        step_id=_step_id("voice"),
        window_start=timezone.now() - 7 * DAY,
        window_end=timezone.now() - 7 * DAY + datetime.timedelta(hours=8),
    )
    before = timezone.now()

    send_voice(tenant, payer, "callback")

    outcome = Outcome.objects.for_tenant(tenant).get()
    assert outcome.callback_at >= before + datetime.timedelta(hours=1)
    task = ContactTask.objects.for_tenant(tenant).get(callback_at__isnull=False)
    assert task.channel == "call"
    assert task.window_start <= task.callback_at < task.window_end


def _step_id(channel: str) -> int:
    from contact_schedule.models import ScheduleStep

    return ScheduleStep.objects.filter(channel=channel).values_list("pk", flat=True).first()
