"""Status reconciliation: a message whose callback never came is asked about by its SID."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dunning import signals
from dunning.models import Message
from dunning.outbox import dispatch_due, enqueue_message
from dunning.outbox.statuses import refresh_statuses
from tests.factories import PayerFactory

pytestmark = pytest.mark.django_db
THURSDAY_NOON = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


def sent_message(tenant, channel="sms"):
    message = enqueue_message(
        tenant=tenant, payer=PayerFactory(tenant=tenant), channel=channel,
        recipient="+48601234567", body="Prosimy o wpłatę.", now=THURSDAY_NOON,
    )  # fmt: skip
    dispatch_due(now=THURSDAY_NOON)
    message.refresh_from_db()
    return message


def test_a_sent_sms_without_a_callback_takes_the_providers_status(tenant, fake_twilio):
    message = sent_message(tenant)
    fake_twilio.set_status(message.provider_sid, "delivered")
    results = []
    signals.contact_result.connect(lambda **kw: results.append(kw), weak=False, dispatch_uid="s1")
    try:
        too_soon = refresh_statuses()
        later = refresh_statuses(now=timezone.now() + datetime.timedelta(hours=2))
    finally:
        signals.contact_result.disconnect(dispatch_uid="s1")

    message.refresh_from_db()
    assert (too_soon, later) == (0, 1)
    assert message.status == Message.Status.DELIVERED
    fetches = [r for r in fake_twilio.requests if r.method == "GET"]
    assert fetches[-1].path.endswith(f"/Messages/{message.provider_sid}.json")
    assert [r["result"] for r in results] == ["reached"]


def test_a_voice_message_left_on_voicemail_is_found_out(tenant, fake_twilio):
    message = sent_message(tenant, channel="voice")
    fake_twilio.set_status(message.provider_sid, "completed")
    fake_twilio.resources[message.provider_sid]["answered_by"] = "machine_end_beep"

    refresh_statuses(now=timezone.now() + datetime.timedelta(hours=2))

    message.refresh_from_db()
    assert (message.status, message.answered_by) == (Message.Status.DELIVERED, "machine_end_beep")


def test_a_provider_that_does_not_answer_leaves_the_message_as_it_was(tenant, fake_twilio):
    message = sent_message(tenant)
    fake_twilio.fail_next(503)

    moved = refresh_statuses(now=timezone.now() + datetime.timedelta(hours=2))

    message.refresh_from_db()
    assert (moved, message.status) == (0, Message.Status.SENT)


def test_a_contact_result_a_receiver_failed_to_take_is_offered_again(tenant, fake_twilio):
    message = sent_message(tenant)
    taken = []

    def failing(**kwargs):
        raise RuntimeError("the schedule is down")

    signals.contact_result.connect(failing, weak=False, dispatch_uid="fail")
    try:
        fake_twilio.set_status(message.provider_sid, "delivered")
        refresh_statuses(now=timezone.now() + datetime.timedelta(hours=2))
    finally:
        signals.contact_result.disconnect(dispatch_uid="fail")
    message.refresh_from_db()
    unreported = message.result_reported_at

    signals.contact_result.connect(lambda **kw: taken.append(kw), weak=False, dispatch_uid="ok")
    try:
        refresh_statuses(now=timezone.now() + datetime.timedelta(hours=3))
        refresh_statuses(now=timezone.now() + datetime.timedelta(hours=4))
    finally:
        signals.contact_result.disconnect(dispatch_uid="ok")

    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert unreported is None
    assert [kw["result"] for kw in taken] == ["reached"]
    assert message.result_reported_at is not None
