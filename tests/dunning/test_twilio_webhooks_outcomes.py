"""End to end with the contact schedule's receivers: a signed webhook becomes an outcome."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contact_schedule.models import Outcome
from dunning.outbox import dispatch_due, enqueue_message
from tests.dunning.test_twilio_webhooks import INBOUND, THURSDAY_NOON, inbound, post, status_path
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def payer_with_phone(tenant):
    payer = PayerFactory(tenant=tenant)
    contact = PayerContactFactory(payer=payer, value="+48601234567")
    return payer, contact


def send(tenant, payer, channel="sms", **extra):
    message = enqueue_message(
        tenant=tenant, payer=payer, channel=channel, recipient="+48601234567",
        body="Prosimy o wpłatę.", now=THURSDAY_NOON, **extra,
    )  # fmt: skip
    dispatch_due(now=THURSDAY_NOON)
    message.refresh_from_db()
    return message


def test_stop_by_sms_blocks_further_sms_to_that_number(tenant, fake_twilio, payer_with_phone):
    payer, contact = payer_with_phone
    send(tenant, payer)

    post(INBOUND, inbound("STOP"))

    contact.refresh_from_db()
    assert contact.opted_out_at is not None
    outcome = Outcome.objects.for_tenant(tenant).get(payer=payer)
    assert (outcome.kind, outcome.contact_value) == (Outcome.Kind.REFUSED, "+48601234567")
    with pytest.raises(ValidationError):
        enqueue_message(
            tenant=tenant, payer=payer, channel="sms", recipient="+48601234567", body="Jeszcze raz"
        )


def test_a_delivery_receipt_records_the_contact_once(tenant, fake_twilio, payer_with_phone):
    payer, _ = payer_with_phone
    message = send(tenant, payer)
    params = {"MessageSid": message.provider_sid, "MessageStatus": "delivered"}

    post(status_path(message), params)
    post(status_path(message), params)

    outcomes = Outcome.objects.for_tenant(tenant).filter(payer=payer)
    assert [(o.kind, o.source) for o in outcomes] == [(Outcome.Kind.REACHED, Outcome.Source.STATUS)]


def test_pressing_1_after_a_voice_message_records_the_promise(
    tenant, fake_twilio, payer_with_phone
):
    payer, _ = payer_with_phone
    invoice = InvoiceFactory(payer=payer)
    promise = timezone.localdate() + datetime.timedelta(days=7)
    message = send(tenant, payer, channel="voice", promise_date=promise, invoice_ids=[invoice.id])

    post(f"/webhooks/twilio/voice/gather?m={message.token.hex}", {"CallSid": "CA1", "Digits": "1"})

    outcome = Outcome.objects.for_tenant(tenant).get(payer=payer)
    assert (outcome.kind, outcome.promised_date) == (Outcome.Kind.PROMISE, promise)
    assert list(outcome.invoices.all()) == [invoice]
