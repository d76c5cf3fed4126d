"""Channels: the exact requests the real twilio client sends to the (fake) provider."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from dunning.calls import place_consultant_call
from dunning.channels import PermanentSendError, TransientSendError, backend_for
from dunning.models import Message, SenderIdentity
from dunning.outbox import dispatch_due, enqueue_message
from tests.dunning.conftest import OPERATOR_NUMBER, PUBLIC_BASE
from tests.factories import PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
# A Thursday, inside every channel's window.
THURSDAY_NOON = datetime.datetime(2026, 12, 3, 12, 0, tzinfo=WARSAW)


def queue(tenant, channel="sms", recipient="+48601234567", body="Prosimy o wpłatę.", **extra):
    payer = extra.pop("payer", None) or PayerFactory(tenant=tenant)
    return enqueue_message(
        tenant=tenant, payer=payer, channel=channel, recipient=recipient, body=body,
        now=THURSDAY_NOON, **extra,
    )  # fmt: skip


def test_sms_goes_out_as_the_client_asks_twilio_for_it(tenant, fake_twilio):
    message = queue(tenant, body="Faktura FV/1/2026 na 1 230,00 zł czeka na wpłatę.")

    report = dispatch_due(now=THURSDAY_NOON)

    assert report.sent == 1
    [request] = fake_twilio.created("Messages")
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert request.params == {
        "To": "+48601234567",
        "From": OPERATOR_NUMBER,
        "Body": "Faktura FV/1/2026 na 1 230,00 zł czeka na wpłatę.",
        "StatusCallback": f"{PUBLIC_BASE}/webhooks/twilio/status?m={message.token.hex}",
    }
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_sid == request.query["sid"]
    assert message.attempts == 1


def test_a_clients_messaging_service_replaces_the_from_number(tenant, fake_twilio):
    SenderIdentity.objects.create(tenant=tenant, messaging_service_sid="MG" + "ab" * 16)
    queue(tenant)

    dispatch_due(now=THURSDAY_NOON)

    [request] = fake_twilio.created("Messages")
    assert request.params["MessagingServiceSid"] == "MG" + "ab" * 16
    assert "From" not in request.params


def test_a_clients_alphanumeric_sender_id_is_the_from(tenant, fake_twilio):
    SenderIdentity.objects.create(tenant=tenant, sms_sender="KOWALCZYK")
    queue(tenant)

    dispatch_due(now=THURSDAY_NOON)

    assert fake_twilio.created("Messages")[0].params["From"] == "KOWALCZYK"


def test_voice_message_asks_twilio_to_detect_an_answering_machine(tenant, fake_twilio):
    message = queue(
        tenant, channel="voice", body="Dzień dobry.", promise_date=datetime.date(2026, 12, 10)
    )

    dispatch_due(now=THURSDAY_NOON)

    [request] = fake_twilio.created("Calls")
    token = message.token.hex
    assert request.params == {
        "To": "+48601234567",
        "From": OPERATOR_NUMBER,
        "Url": f"{PUBLIC_BASE}/webhooks/twilio/voice/answer?m={token}",
        "Method": "POST",
        "MachineDetection": "DetectMessageEnd",
        "StatusCallback": f"{PUBLIC_BASE}/webhooks/twilio/status?m={token}",
        "StatusCallbackMethod": "POST",
    }


def test_consultant_call_rings_the_consultant_and_bridges_with_the_operator_caller_id(
    tenant, fake_twilio
):
    payer = PayerFactory(tenant=tenant)

    call = place_consultant_call(
        tenant=tenant, payer=payer, to="601 234 567", consultant="client:konsultant1",
        record=True, now=THURSDAY_NOON,
    )  # fmt: skip

    [request] = fake_twilio.created("Calls")
    assert request.params["To"] == "client:konsultant1"
    assert request.params["From"] == OPERATOR_NUMBER
    assert request.params["Url"] == f"{PUBLIC_BASE}/webhooks/twilio/voice/bridge?m={call.token.hex}"
    assert call.status == Message.Status.SENT
    assert call.provider_sid == request.query["sid"]
    assert (call.recipient, call.consultant, call.record) == (
        "+48601234567",
        "client:konsultant1",
        True,
    )


def test_consultant_call_refuses_an_objected_number_and_night_hours(tenant, fake_twilio):
    payer = PayerFactory(tenant=tenant)
    contact = PayerContactFactory(payer=payer, value="+48601234567")
    contact.opted_out_at = THURSDAY_NOON
    contact.save()

    with pytest.raises(ValidationError) as objected:
        place_consultant_call(
            tenant=tenant,
            payer=payer,
            to="+48601234567",
            consultant="+48500100200",
            now=THURSDAY_NOON,
        )
    with pytest.raises(ValidationError) as night:
        place_consultant_call(
            tenant=tenant, payer=payer, to="+48601999999", consultant="+48500100200",
            now=THURSDAY_NOON.replace(hour=22),
        )  # fmt: skip

    assert "recipient" in objected.value.message_dict
    assert "to" in night.value.message_dict
    assert fake_twilio.created("Calls") == []


def test_consultant_call_of_another_clients_payer_is_refused(tenant, other_tenant, fake_twilio):
    foreign = PayerFactory(tenant=other_tenant)

    with pytest.raises(ValidationError):
        place_consultant_call(
            tenant=tenant,
            payer=foreign,
            to="+48601234567",
            consultant="+48500100200",
            now=THURSDAY_NOON,
        )
    assert fake_twilio.created("Calls") == []


def test_provider_errors_are_transient_or_permanent(tenant, fake_twilio):
    message = queue(tenant)
    backend = backend_for("sms")

    fake_twilio.fail_next(429, code=20429)
    with pytest.raises(TransientSendError) as limited:
        backend.send(message)
    fake_twilio.fail_next(503)
    with pytest.raises(TransientSendError) as unavailable:
        backend.send(message)
    fake_twilio.fail_next(400, code=21211)
    with pytest.raises(PermanentSendError) as invalid:
        backend.send(message)

    assert (limited.value.ambiguous, unavailable.value.ambiguous) == (False, True)
    assert invalid.value.code == "21211"


def test_email_goes_through_django_mail_with_its_attachment(tenant, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    name = default_storage.save("demands/wezwanie.pdf", ContentFile(b"%PDF-1.7 demand"))
    queue(
        tenant, channel="email", recipient="Ksiegowosc@Odbiorca.pl", subject="Wezwanie do zapłaty",
        body="W załączeniu wezwanie.", attachments=[name],
    )  # fmt: skip

    dispatch_due(now=THURSDAY_NOON)

    [sent] = mail.outbox
    assert sent.to == ["ksiegowosc@odbiorca.pl"]
    assert sent.subject == "Wezwanie do zapłaty"
    assert sent.attachments[0][0] == "wezwanie.pdf"
    assert sent.attachments[0][1] == b"%PDF-1.7 demand"


def test_console_backend_logs_and_delivers(tenant, settings, caplog):
    settings.TELEPHONY_BACKEND = "console"
    message = queue(tenant, body="Dzień dobry z konsoli")

    with caplog.at_level("INFO", logger="dunning.console"):
        dispatch_due(now=THURSDAY_NOON)

    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert "Dzień dobry z konsoli" in caplog.text
    assert "+48601234567" in caplog.text
