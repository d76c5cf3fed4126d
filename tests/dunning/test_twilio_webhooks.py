"""Twilio's webhooks: signed or refused (403); replays harmless; news sent up once."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from dunning import signals
from dunning.models import Message
from dunning.outbox import dispatch_due, enqueue_message
from tests.dunning.conftest import PUBLIC_BASE, TWILIO_TOKEN
from tests.factories import PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
THURSDAY_NOON = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=WARSAW)
Status = Message.Status


def sign(path: str, params: dict, token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_BASE + path, params)


def post(path: str, params: dict, *, signature: str | None = None):
    headers = {} if signature == "" else {"X-Twilio-Signature": signature or sign(path, params)}
    return Client().post(path, params, headers=headers)


@pytest.fixture
def heard():
    """Every signal dunning sends up during the test: (name, kwargs)."""
    found = []

    def receiver_for(name):
        return lambda **kw: found.append((name, kw))

    receivers = {
        name: receiver_for(name)
        for name in ("contact_result", "inbound_sms_received", "voice_answer_received")
    }
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, weak=False, dispatch_uid=f"heard-{name}")
    yield found
    for name in receivers:
        getattr(signals, name).disconnect(dispatch_uid=f"heard-{name}")


@pytest.fixture
def sent_sms(tenant, fake_twilio):
    payer = PayerFactory(tenant=tenant)
    message = enqueue_message(
        tenant=tenant, payer=payer, channel="sms", recipient="+48601234567",
        body="Prosimy o wpłatę.", contact_task_id=7, now=THURSDAY_NOON,
    )  # fmt: skip
    dispatch_due(now=THURSDAY_NOON)
    message.refresh_from_db()
    return message


def status_path(message: Message) -> str:
    return f"/webhooks/twilio/status?m={message.token.hex}"


def test_a_signed_delivery_receipt_marks_the_message_and_reports_the_contact_once(sent_sms, heard):
    params = {"MessageSid": sent_sms.provider_sid, "MessageStatus": "delivered"}

    first = post(status_path(sent_sms), params)
    replay = post(status_path(sent_sms), params)

    sent_sms.refresh_from_db()
    assert (first.status_code, replay.status_code) == (204, 204)
    assert sent_sms.status == Status.DELIVERED
    assert sent_sms.delivered_at is not None
    assert [(name, kw["result"], kw["contact_task_id"]) for name, kw in heard] == [
        ("contact_result", "reached", 7)
    ]


@pytest.mark.parametrize(
    "signature",
    ["", "forged", "token-of-another-account"],
    ids=["unsigned", "forged", "signed-with-another-token"],
)
def test_an_unsigned_or_forged_receipt_is_refused(sent_sms, heard, signature):
    params = {"MessageSid": sent_sms.provider_sid, "MessageStatus": "failed", "ErrorCode": "30006"}
    if signature == "token-of-another-account":
        signature = sign(status_path(sent_sms), params, token="another-token")

    response = post(status_path(sent_sms), params, signature=signature)

    sent_sms.refresh_from_db()
    assert response.status_code == 403
    assert sent_sms.status == Status.SENT
    assert heard == []


def test_a_signature_for_another_message_does_not_fit_this_one(tenant, sent_sms, heard):
    other = enqueue_message(
        tenant=tenant, payer=sent_sms.payer, channel="sms", recipient="+48601234568",
        body="Inna", now=THURSDAY_NOON,
    )  # fmt: skip
    params = {"MessageSid": "SMx", "MessageStatus": "delivered"}

    response = post(status_path(other), params, signature=sign(status_path(sent_sms), params))

    assert response.status_code == 403


def test_a_late_sent_receipt_does_not_undo_delivered(sent_sms, heard):
    post(status_path(sent_sms), {"MessageSid": sent_sms.provider_sid, "MessageStatus": "delivered"})
    post(status_path(sent_sms), {"MessageSid": sent_sms.provider_sid, "MessageStatus": "sent"})

    sent_sms.refresh_from_db()
    assert sent_sms.status == Status.DELIVERED
    assert len(heard) == 1


def test_an_undelivered_sms_to_a_landline_is_a_wrong_number(sent_sms, heard):
    post(
        status_path(sent_sms),
        {"MessageSid": sent_sms.provider_sid, "MessageStatus": "undelivered", "ErrorCode": "30006"},
    )

    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.error_code) == (Status.UNDELIVERED, "30006")
    assert heard[0][1]["result"] == "wrong_number"


def test_a_receipt_for_an_unknown_message_is_404_and_get_is_refused(sent_sms):
    path = "/webhooks/twilio/status?m=00000000000000000000000000000000"
    params = {"MessageSid": "SMx", "MessageStatus": "delivered"}

    assert post(path, params).status_code == 404
    assert Client().get(status_path(sent_sms)).status_code == 405


def test_a_receipt_that_beats_the_worker_wins_and_the_message_is_not_resent(
    tenant, fake_twilio, heard
):
    """Twilio's callback arrives while our row is still `sending` (or back in `queued` after an
    ambiguous error): the row takes the SID and status, and is never sent again."""
    payer = PayerFactory(tenant=tenant)
    message = enqueue_message(
        tenant=tenant, payer=payer, channel="sms", recipient="+48601234567", body="Wyścig",
        now=THURSDAY_NOON,
    )  # fmt: skip
    fake_twilio.lose_next_response()
    dispatch_due(now=THURSDAY_NOON)  # ambiguous: queued again, to be reconciled
    sid = fake_twilio.created("Messages")[0].query["sid"]

    post(status_path(message), {"MessageSid": sid, "MessageStatus": "sent"})
    report = dispatch_due(now=THURSDAY_NOON + datetime.timedelta(hours=1))

    message.refresh_from_db()
    assert (message.status, message.provider_sid) == (Status.SENT, sid)
    assert report.handled == 0
    assert len(fake_twilio.created("Messages")) == 1


# --- inbound SMS ---------------------------------------------------------------------------
INBOUND = "/webhooks/twilio/inbound-sms"


def inbound(body: str, sid: str = "SMin1", sender: str = "+48601234567") -> dict:
    return {"MessageSid": sid, "From": sender, "To": "+48221002030", "Body": body}


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ("STOP", "opt_out"),
        ("stop sms", "opt_out"),
        ("Nie", "opt_out"),
        ("REZYGNUJĘ", "opt_out"),
        ("ZAPŁACONE", "paid"),
        ("zapłaciłem wczoraj", "paid"),
        ("zaplacilem", "paid"),
        ("Nie zapłaciłem, bo towar wadliwy", "note"),
        ("Proszę o telefon po 15", "note"),
    ],
)
def test_inbound_sms_intents(sent_sms, heard, body, intent):
    response = post(INBOUND, inbound(body))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    [(name, kw)] = heard
    assert name == "inbound_sms_received"
    assert (kw["intent"], kw["body"], kw["sender_number"]) == (intent, body, "+48601234567")
    assert (kw["tenant_id"], kw["payer_id"]) == (sent_sms.tenant_id, sent_sms.payer_id)
    assert (kw["contact_task_id"], kw["message_id"]) == (7, sent_sms.pk)


def test_a_replayed_inbound_sms_is_stored_and_announced_once(sent_sms, heard):
    post(INBOUND, inbound("STOP"))
    post(INBOUND, inbound("STOP"))

    assert len(heard) == 1
    assert Message.objects.filter(direction="inbound", provider_sid="SMin1").count() == 1


def test_an_inbound_sms_without_our_message_belongs_to_the_only_payer_with_that_number(
    tenant, twilio_settings, heard
):
    contact = PayerContactFactory(payer=PayerFactory(tenant=tenant), value="+48609000111")

    post(INBOUND, inbound("Zapłacone", sender="+48609000111"))
    post(INBOUND, inbound("Kto to?", sid="SMin2", sender="+48700000000"))

    [(_, kw)] = heard
    assert (kw["payer_id"], kw["intent"], kw["message_id"]) == (contact.payer_id, "paid", None)


def test_a_reply_belongs_to_the_client_whose_number_it_answers_not_the_last_to_write(
    tenant, other_tenant, fake_twilio, heard
):
    """Two clients with their own SMS numbers text the same debtor; the debtor answers the first
    one. The reply (a STOP, say) is the first client's: never the later writer's."""
    from dunning.models import SenderIdentity

    sent = {}
    for client, number, hour in ((tenant, "+48221000001", 10), (other_tenant, "+48221000002", 11)):
        SenderIdentity.objects.create(tenant=client, sms_sender=number)
        at = THURSDAY_NOON.replace(hour=hour)
        sent[client.pk] = enqueue_message(
            tenant=client, payer=PayerFactory(tenant=client), channel="sms",
            recipient="+48601234567", body="Prosimy o wpłatę.", now=at,
        )  # fmt: skip
        dispatch_due(now=at)

    post(INBOUND, {**inbound("STOP"), "To": "+48221000001"})

    [(_, kw)] = heard
    assert (kw["tenant_id"], kw["payer_id"]) == (tenant.pk, sent[tenant.pk].payer_id)
    assert kw["message_id"] == sent[tenant.pk].pk
    assert Message.objects.get(direction="inbound").tenant_id == tenant.pk


def test_an_unsigned_inbound_sms_is_refused(sent_sms, heard):
    assert post(INBOUND, inbound("STOP"), signature="").status_code == 403
    assert heard == []


# --- voice ---------------------------------------------------------------------------------
@pytest.fixture
def voice_message(tenant, fake_twilio):
    message = enqueue_message(
        tenant=tenant, payer=PayerFactory(tenant=tenant), channel="voice",
        recipient="+48601234567", body="Dzień dobry, tu Monitoring.", contact_task_id=9,
        promise_date=datetime.date(2026, 12, 10), invoice_ids=[3, 4], now=THURSDAY_NOON,
    )  # fmt: skip
    dispatch_due(now=THURSDAY_NOON)
    message.refresh_from_db()
    return message


def test_a_person_hears_the_message_with_the_keypress_question(voice_message):
    path = f"/webhooks/twilio/voice/answer?m={voice_message.token.hex}"

    response = post(path, {"CallSid": voice_message.provider_sid, "AnsweredBy": "human"})

    twiml = response.content.decode()
    assert response.status_code == 200
    assert '<Gather action="https://monitoring.example.com/webhooks/twilio/voice/gather?m=' in twiml
    assert 'numDigits="1"' in twiml
    assert '<Say language="pl-PL" voice="Polly.Ewa">Dzień dobry, tu Monitoring.</Say>' in twiml
    assert "do dnia 10.12.2026, naciśnij 1" in twiml
    assert "naciśnij 2" in twiml


def test_a_voicemail_gets_the_message_after_the_beep_without_a_question(voice_message, heard):
    path = f"/webhooks/twilio/voice/answer?m={voice_message.token.hex}"
    response = post(path, {"CallSid": voice_message.provider_sid, "AnsweredBy": "machine_end_beep"})
    post(
        status_path(voice_message),
        {"CallSid": voice_message.provider_sid, "CallStatus": "completed",
         "AnsweredBy": "machine_end_beep"},
    )  # fmt: skip

    twiml = response.content.decode()
    assert "Dzień dobry, tu Monitoring." in twiml
    assert "<Gather" not in twiml
    assert heard[0][1]["result"] == "voicemail"


def test_pressing_1_promises_payment_by_the_offered_date_once(voice_message, heard):
    path = f"/webhooks/twilio/voice/gather?m={voice_message.token.hex}"
    params = {"CallSid": voice_message.provider_sid, "Digits": "1"}

    response = post(path, params)
    post(path, params)

    assert "10.12.2026" in response.content.decode()
    [(name, kw)] = heard
    assert name == "voice_answer_received"
    assert (kw["digit"], kw["meaning"], kw["promise_date"]) == (
        "1",
        "promise",
        datetime.date(2026, 12, 10),
    )
    assert (kw["invoice_ids"], kw["contact_task_id"]) == ([3, 4], 9)


def test_pressing_2_asks_for_a_callback_and_other_keys_mean_nothing(voice_message, heard):
    path = f"/webhooks/twilio/voice/gather?m={voice_message.token.hex}"

    unknown = post(path, {"CallSid": voice_message.provider_sid, "Digits": "9"})
    post(path, {"CallSid": voice_message.provider_sid, "Digits": "2"})

    assert "<Redirect" in unknown.content.decode()
    assert [(kw["meaning"], kw["promise_date"]) for _, kw in heard] == [("callback", None)]


def test_a_busy_line_is_no_answer(voice_message, heard):
    post(status_path(voice_message), {"CallSid": voice_message.provider_sid, "CallStatus": "busy"})

    voice_message.refresh_from_db()
    assert voice_message.status == Status.UNDELIVERED
    assert heard[0][1]["result"] == "no_answer"


def test_the_consultant_bridge_dials_the_payer_with_the_caller_id_and_announces_recording(
    tenant, fake_twilio
):
    from dunning.calls import place_consultant_call

    call = place_consultant_call(
        tenant=tenant, payer=PayerFactory(tenant=tenant), to="+48601234567",
        consultant="+48500100200", record=True, now=THURSDAY_NOON,
    )  # fmt: skip

    bridge = post(f"/webhooks/twilio/voice/bridge?m={call.token.hex}", {"CallSid": "CAx"})
    announce_path = f"/webhooks/twilio/voice/announce?m={call.token.hex}"
    announce = post(announce_path, {"CallSid": "CAy"})

    twiml = bridge.content.decode()
    assert '<Dial callerId="+48221002030" record="record-from-answer-dual">' in twiml
    assert (
        f'<Number method="POST" url="{PUBLIC_BASE}{announce_path}">+48601234567</Number>' in twiml
    )
    assert "Rozmowa jest nagrywana." in announce.content.decode()


def test_an_inbound_sms_a_receiver_fails_on_is_refused_with_503_and_taken_on_the_retry(
    sent_sms, heard
):
    def failing(**kwargs):
        raise RuntimeError("the schedule is down")

    signals.inbound_sms_received.connect(failing, weak=False, dispatch_uid="fail-inbound")
    try:
        refused = post(INBOUND, inbound("ZAPŁACONE", sid="SMretry"))
    finally:
        signals.inbound_sms_received.disconnect(dispatch_uid="fail-inbound")
    stored_after_failure = Message.objects.filter(provider_sid="SMretry").exists()
    retried = post(INBOUND, inbound("ZAPŁACONE", sid="SMretry"))

    assert (refused.status_code, retried.status_code) == (503, 200)
    assert not stored_after_failure
    assert [kw["intent"] for name, kw in heard if name == "inbound_sms_received"] == [
        "paid",
        "paid",
    ]  # the failing attempt reached `heard` too before the failing receiver rolled it back
