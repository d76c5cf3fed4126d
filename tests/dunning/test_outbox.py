"""The outbox: sends inside the contact window, retries with backoff, never twice or never lost."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from dunning import signals
from dunning.channels import backend_for
from dunning.models import Message
from dunning.outbox import claim_batch, dispatch_due, enqueue_message
from tests.factories import PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
Status = Message.Status


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW)


THURSDAY_NOON = at(2026, 12, 3, 12, 0)


def queue(tenant, now=THURSDAY_NOON, channel="sms", **extra):
    payer = extra.pop("payer", None) or PayerFactory(tenant=tenant)
    fields = {"recipient": "+48601234567", "body": "Prosimy o wpłatę."} | extra
    return enqueue_message(tenant=tenant, payer=payer, channel=channel, now=now, **fields)


def test_a_message_due_at_21_30_warsaw_time_waits_for_the_next_window(tenant, fake_twilio):
    message = queue(tenant, now=at(2026, 12, 3, 21, 30))

    night = dispatch_due(now=at(2026, 12, 3, 21, 30))
    before_nine = dispatch_due(now=at(2026, 12, 4, 8, 59))
    morning = dispatch_due(now=at(2026, 12, 4, 9, 5))

    assert (message.not_before, message.not_after) == (at(2026, 12, 4, 9), at(2026, 12, 4, 19))
    assert (night.sent, before_nine.sent, morning.sent) == (0, 0, 1)
    assert len(fake_twilio.created("Messages")) == 1


def test_a_message_whose_window_closed_moves_to_the_next_window_unsent(tenant, fake_twilio):
    message = queue(tenant, now=at(2026, 12, 3, 18, 50))

    report = dispatch_due(now=at(2026, 12, 3, 19, 10))

    message.refresh_from_db()
    assert report.moved == 1
    assert (message.status, message.attempts) == (Status.QUEUED, 0)
    assert message.due_at == at(2026, 12, 4, 9)
    assert fake_twilio.created("Messages") == []


def test_rate_limit_retries_with_exponential_backoff(tenant, fake_twilio, settings):
    settings.OUTBOX_BACKOFF_SECONDS = 30
    message = queue(tenant)
    fake_twilio.fail_next(429, code=20429, times=2)

    first = dispatch_due(now=THURSDAY_NOON)
    message.refresh_from_db()
    first_due = message.due_at
    second = dispatch_due(now=first_due)
    message.refresh_from_db()
    second_due = message.due_at
    early = dispatch_due(now=second_due - datetime.timedelta(seconds=1))
    third = dispatch_due(now=second_due)

    assert (first.retried, second.retried, early.handled, third.sent) == (1, 1, 0, 1)
    assert first_due == THURSDAY_NOON + datetime.timedelta(seconds=30)
    assert second_due == first_due + datetime.timedelta(seconds=60)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(fake_twilio.created("Messages")) == 1


def test_a_lost_response_is_reconciled_not_resent(tenant, fake_twilio):
    """Twilio took the message but the answer never came back: the retry finds it there."""
    message = queue(tenant)
    fake_twilio.lose_next_response()

    first = dispatch_due(now=THURSDAY_NOON)
    second = dispatch_due(now=THURSDAY_NOON + datetime.timedelta(minutes=5))

    [created] = fake_twilio.created("Messages")
    message.refresh_from_db()
    assert (first.retried, second.reconciled, second.sent) == (1, 1, 0)
    assert message.status == Status.SENT
    assert message.provider_sid == created.query["sid"]


def test_a_worker_killed_after_the_provider_call_leaves_a_message_that_is_never_resent(
    tenant, fake_twilio, settings
):
    settings.OUTBOX_STALE_AFTER_SECONDS = 60
    message = queue(tenant)
    ids, _ = claim_batch(now=THURSDAY_NOON, size=10)
    message.refresh_from_db()
    backend_for("sms").send(message)  # the provider has it; the worker dies before the commit

    too_early = dispatch_due(now=THURSDAY_NOON)
    Message.objects.filter(pk=message.pk).update(
        sending_started_at=message.sending_started_at - datetime.timedelta(seconds=61)
    )
    after_stale = dispatch_due(now=THURSDAY_NOON)

    message.refresh_from_db()
    assert ids == [message.pk]
    assert (too_early.handled, after_stale.reconciled, after_stale.sent) == (0, 1, 0)
    assert message.status == Status.SENT
    assert len(fake_twilio.created("Messages")) == 1


def test_a_worker_killed_before_the_provider_call_leaves_a_message_that_is_sent_once(
    tenant, fake_twilio, settings
):
    settings.OUTBOX_STALE_AFTER_SECONDS = 60
    message = queue(tenant)
    claim_batch(now=THURSDAY_NOON, size=10)  # …and the worker dies
    Message.objects.filter(pk=message.pk).update(
        sending_started_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )

    report = dispatch_due(now=THURSDAY_NOON)

    message.refresh_from_db()
    assert (report.reconciled, report.sent) == (0, 1)
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(fake_twilio.created("Messages")) == 1


def test_after_the_last_attempt_the_message_fails_with_its_error_and_says_so(
    tenant, fake_twilio, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = queue(tenant)
    fake_twilio.fail_next(503, times=10)
    results = []
    signals.contact_result.connect(lambda **kw: results.append(kw), weak=False, dispatch_uid="t1")
    try:
        dispatch_due(now=THURSDAY_NOON)
        dispatch_due(now=THURSDAY_NOON + datetime.timedelta(hours=1))
    finally:
        signals.contact_result.disconnect(dispatch_uid="t1")

    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (Status.FAILED, 2, "503")
    assert [r["result"] for r in results] == ["no_answer"]


def test_an_invalid_number_fails_at_once_as_a_wrong_number(tenant, fake_twilio):
    message = queue(tenant)
    fake_twilio.fail_next(400, code=21211)
    results = []
    signals.contact_result.connect(lambda **kw: results.append(kw), weak=False, dispatch_uid="t2")
    try:
        dispatch_due(now=THURSDAY_NOON)
    finally:
        signals.contact_result.disconnect(dispatch_uid="t2")

    message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.FAILED, "21211")
    assert results[0]["result"] == "wrong_number"
    assert results[0]["message_id"] == message.pk


def test_an_objection_after_queueing_cancels_the_message(tenant, fake_twilio):
    payer = PayerFactory(tenant=tenant)
    contact = PayerContactFactory(payer=payer, value="+48601234567")
    message = queue(tenant, payer=payer)
    contact.opted_out_at = THURSDAY_NOON
    contact.save()

    report = dispatch_due(now=THURSDAY_NOON)

    message.refresh_from_db()
    assert (report.canceled, message.status) == (1, Status.CANCELED)
    assert fake_twilio.created("Messages") == []


def test_queueing_a_contact_tasks_message_twice_makes_one(tenant):
    payer = PayerFactory(tenant=tenant)

    first = queue(tenant, payer=payer, contact_task_id=41)
    second = queue(tenant, payer=payer, contact_task_id=41, body="Inna treść")

    assert first.pk == second.pk
    assert Message.objects.for_tenant(tenant).count() == 1


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"recipient": "12"}, "recipient"),
        ({"recipient": "nie-email", "channel": "email"}, "recipient"),
        ({"body": "   "}, "body"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(tenant, fields, error_field):
    with pytest.raises(ValidationError) as refused:
        queue(tenant, **fields)

    assert error_field in refused.value.message_dict
    assert not Message.objects.for_tenant(tenant).exists()


def test_another_clients_payer_cannot_be_messaged(tenant, other_tenant):
    with pytest.raises(ValidationError) as refused:
        queue(tenant, payer=PayerFactory(tenant=other_tenant))

    assert "payer" in refused.value.message_dict


def test_do_not_contact_payer_gets_nothing(tenant):
    payer = PayerFactory(tenant=tenant, do_not_contact=True, do_not_contact_reason="Upadłość")
    with pytest.raises(ValidationError):
        queue(tenant, payer=payer)


def test_a_batch_records_each_message_with_its_own_provider_id(tenant, fake_twilio):
    messages = [queue(tenant, recipient=f"+4860123456{i}", body=f"Treść {i}") for i in range(5)]
    fake_twilio.fail_next(429)  # the first one waits for a retry; the others go

    report = dispatch_due(now=THURSDAY_NOON, batch_size=5)

    sids = {r.params["Body"]: r.query["sid"] for r in fake_twilio.created("Messages")}
    stored = {m.body: (m.status, m.provider_sid) for m in Message.objects.for_tenant(tenant)}
    assert (report.sent, report.retried) == (4, 1)
    assert stored[messages[0].body] == (Status.QUEUED, "")
    assert {body: sid for body, (_, sid) in stored.items() if sid} == sids
    assert all(status == Status.SENT for body, (status, _) in stored.items() if body in sids)


def test_a_retried_voice_message_never_takes_another_clients_call_to_the_same_number(
    tenant, other_tenant, fake_twilio
):
    """Both clients call one debtor from the operator's caller ID. The second client's first
    attempt fails ambiguously (a 503); its retry asks Twilio, which lists the first client's call
    to that number from that caller ID. That call is the first client's: the second is placed."""
    first = queue(tenant, channel="voice", body="Wiadomość pierwszego klienta.")
    dispatch_due(now=THURSDAY_NOON)
    second = queue(other_tenant, channel="voice", body="Wiadomość drugiego klienta.")
    fake_twilio.fail_next(503)
    failed = dispatch_due(now=THURSDAY_NOON)

    retry = dispatch_due(now=THURSDAY_NOON + datetime.timedelta(minutes=5))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (failed.retried, retry.reconciled, retry.sent) == (1, 0, 1)
    assert second.status == Status.SENT and second.provider_sid != first.provider_sid
    assert len(fake_twilio.created("Calls")) == 2


def test_an_unexpected_error_on_one_message_retries_it_and_keeps_the_rest_of_the_batch(
    tenant, mailoutbox, settings, tmp_path
):
    """A surprise (not a send error) while sending one message, here an attachment that cannot
    be read (a folder where a letter should be), must not throw away the batch's results: that
    left every row `sending`, to be sent again, e-mails included, once reclaimed."""
    from pathlib import Path

    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    Path(default_storage.path("documents/folder-not-a-letter.pdf")).mkdir(parents=True)
    messages = [
        queue(tenant, channel="email", recipient=f"ksiegowosc{n}@example.com", subject="Wezwanie",
              attachments=["documents/folder-not-a-letter.pdf"] if n == 1 else [])
        for n in range(3)
    ]  # fmt: skip

    report = dispatch_due(now=THURSDAY_NOON)

    statuses = [Message.objects.get(pk=m.pk).status for m in messages]
    assert (report.sent, report.retried) == (2, 1)
    assert statuses == [Status.SENT, Status.QUEUED, Status.SENT]
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "ksiegowosc0@example.com",
        "ksiegowosc2@example.com",
    ]
