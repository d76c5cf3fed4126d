"""The dispatcher: claim due messages, send each once, record what happened (see the package
docstring for the exactly-once design)."""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from dunning.channels import (
    ChannelBackend,
    PermanentSendError,
    ProviderResult,
    TransientSendError,
    backend_for,
)
from dunning.models import Message
from dunning.windows import window_for
from payers.models import PayerContact

logger = logging.getLogger("dunning.outbox")

Status = Message.Status
# The provider's word for a message it has taken, in our states.
PROVIDER_STATUS = {"delivered": Status.DELIVERED, "completed": Status.DELIVERED}


@dataclass
class DispatchReport:
    sent: int = 0
    reconciled: int = 0
    retried: int = 0
    failed: int = 0
    moved: int = 0
    canceled: int = 0
    released: int = 0
    batches: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.reconciled + self.retried + self.failed + self.moved + self.canceled


CLAIM_SQL = """
UPDATE {table} SET status = %s, sending_started_at = %s, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM {table}
    WHERE (status = %s AND due_at <= %s) OR (status = %s AND sending_started_at < %s)
    ORDER BY due_at, id LIMIT %s
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""


def claim_batch(*, now: datetime.datetime, size: int) -> tuple[list[int], datetime.datetime]:
    """Claim up to `size` due messages for this worker: marked `sending`, committed.

    Due: queued with `due_at` reached, or left `sending` by a worker that died (stale).
    Returns the ids and the claim time written into `sending_started_at`. On PostgreSQL one
    statement (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING id`, committed on
    its own); elsewhere the same in a transaction, which SQLite runs one at a time.
    """
    clock = timezone.now()
    stale_before = clock - datetime.timedelta(seconds=settings.OUTBOX_STALE_AFTER_SECONDS)
    if connection.vendor == "postgresql":
        # Autocommit: the claim is committed before anything is sent.
        with connection.cursor() as cursor:
            cursor.execute(
                CLAIM_SQL.format(table=Message._meta.db_table),
                [Status.SENDING, clock, Status.QUEUED, now, Status.SENDING, stale_before, size],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
        return ids, clock
    due = Message.objects.filter(
        Q(status=Status.QUEUED, due_at__lte=now)
        | Q(status=Status.SENDING, sending_started_at__lt=stale_before)
    ).order_by("due_at", "id")
    with transaction.atomic():
        ids = list(due.values_list("id", flat=True)[:size])
        if ids:
            Message.objects.filter(id__in=ids).update(
                status=Status.SENDING, sending_started_at=clock, attempts=F("attempts") + 1
            )
    return ids, clock


def dispatch_due(
    *,
    now: datetime.datetime | None = None,
    batch_size: int | None = None,
    run_seconds: float | None = None,
) -> DispatchReport:
    """Send every due message, batch after batch, for at most `run_seconds`.

    `now` decides what is due and which window is open (tests pass it); claim times are always
    the real clock, because a stale claim is judged by the real clock.
    """
    report = DispatchReport()
    size = batch_size or settings.OUTBOX_BATCH_SIZE
    started = time.monotonic()
    budget = settings.OUTBOX_RUN_SECONDS if run_seconds is None else run_seconds
    while time.monotonic() - started < budget:
        moment = now or timezone.now()
        ids, claimed_at = claim_batch(now=moment, size=size)
        if not ids:
            break
        report.batches += 1
        _send_batch(ids, claimed_at=claimed_at, now=moment, report=report)
    return report


def _send_batch(
    ids: list[int], *, claimed_at: datetime.datetime, now: datetime.datetime, report: DispatchReport
) -> None:
    messages = list(
        Message.objects.filter(id__in=ids).select_related("tenant", "payer").order_by("id")
    )
    blocked = set(
        PayerContact.objects.filter(value__in={m.recipient for m in messages})
        .filter(Q(opted_out_at__isnull=False) | Q(is_wrong=True))
        .values_list("tenant_id", "payer_id", "value")
    )
    backends: dict[str, ChannelBackend] = {}
    # No send starts after half the stale time from the claim: the rest goes back to the queue.
    # With at most two requests per message (reconcile, send) each under the HTTP timeout, which
    # settings keep under a quarter of the stale time, every send ends before the claim is stale.
    hold_until = claimed_at + datetime.timedelta(seconds=settings.OUTBOX_STALE_AFTER_SECONDS / 2)
    outcomes: list[tuple[Message, dict]] = []
    for position, message in enumerate(messages):
        if timezone.now() >= hold_until:
            report.released += _release(messages[position:], claimed_at)
            break
        if message.payer.do_not_contact or (
            (message.tenant_id, message.payer_id, message.recipient) in blocked
        ):
            report.canceled += 1
            outcomes.append((message, _ended(Status.CANCELED, "opted_out", OPTED_OUT)))
            continue
        if message.not_after and now >= message.not_after:
            try:
                outcomes.append((message, _next_window(message, now)))
                report.moved += 1
            except LookupError:  # the client's channel lost its window: say so, do not guess
                report.failed += 1
                outcomes.append((message, _ended(Status.FAILED, "no_window", NO_WINDOW)))
            continue
        backend = backends.get(message.channel) or backends.setdefault(
            message.channel, backend_for(message.channel)
        )
        outcomes.append((message, _attempt(backend, message, now=now, report=report)))
    _record(outcomes, claimed_at)


def _attempt(
    backend: ChannelBackend, message: Message, *, now: datetime.datetime, report: DispatchReport
) -> dict:
    """Hand one message to its channel once; the fields to write as its new state."""
    try:
        if message.attempts > 1:
            # An earlier attempt may have reached the provider: ask before sending again.
            found = backend.find_sent(message)
            if found is not None:
                report.reconciled += 1
                logger.info(
                    "message %s found at the provider as %s: not resent", message.pk, found.sid
                )
                return _sent_fields(found)
        result = backend.send(message)
    except TransientSendError as error:
        return _attempt_failed(error, message, now=now, report=report)
    except PermanentSendError as error:
        report.failed += 1
        return _failed_fields(error)
    except Exception as error:  # noqa: BLE001 - one message's surprise must not sink the batch
        # Unknown whether it reached the provider: a retry, which asks the provider first.
        logger.exception("message %s: unexpected error while sending", message.pk)
        return _attempt_failed(
            TransientSendError(str(error) or type(error).__name__, code="internal"),
            message,
            now=now,
            report=report,
        )
    report.sent += 1
    return _sent_fields(result)


def _attempt_failed(
    error: TransientSendError, message: Message, *, now: datetime.datetime, report: DispatchReport
) -> dict:
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        report.failed += 1
        return _failed_fields(error)
    report.retried += 1
    delay = settings.OUTBOX_BACKOFF_SECONDS * 2 ** (message.attempts - 1)
    return {
        "status": Status.QUEUED,
        "due_at": now + datetime.timedelta(seconds=delay),
        "error_code": error.code,
        "error_message": str(error)[:500],
    }


def _sent_fields(result: ProviderResult) -> dict:
    fields = {
        "status": PROVIDER_STATUS.get(result.status, Status.SENT),
        "provider_sid": result.sid,
        "provider_status": result.status,
        "sent_at": timezone.now(),
        "error_code": "",
        "error_message": "",
    }
    if result.segments is not None:
        fields["segments"] = result.segments
    if result.price is not None:
        fields |= {"price": result.price, "price_unit": result.price_unit}
    if fields["status"] == Status.DELIVERED:
        fields["delivered_at"] = fields["sent_at"]
    return fields


OPTED_OUT = "The payer objected to this contact, or it is marked wrong."
NO_WINDOW = "The client has no contact window for this channel."


def _ended(status: str, code: str, text: str) -> dict:
    return {"status": status, "error_code": code, "error_message": text}


def _failed_fields(error: Exception) -> dict:
    return {
        "status": Status.FAILED,
        "error_code": getattr(error, "code", ""),
        "error_message": str(error)[:500],
    }


def _next_window(message: Message, now: datetime.datetime) -> dict:
    start, end = window_for(
        tenant=message.tenant, channel=message.channel, moment=now, payer=message.payer
    )
    # Not an attempt: the claim's count is given back.
    return {
        "status": Status.QUEUED,
        "not_before": start,
        "not_after": end,
        "due_at": max(start, now),
        "attempts": F("attempts") - 1,
    }


def _release(messages: list[Message], claimed_at: datetime.datetime) -> int:
    return Message.objects.filter(
        id__in=[m.id for m in messages], status=Status.SENDING, sending_started_at=claimed_at
    ).update(status=Status.QUEUED, attempts=F("attempts") - 1)


def _record(outcomes: list[tuple[Message, dict]], claimed_at: datetime.datetime) -> None:
    """Write each result onto a row still `sending` from this claim (a faster webhook wins).

    Sent messages, nearly all of a batch, are written by one statement on PostgreSQL; the rest
    (retries, failures, moves) one by one.
    """
    from dunning.outbox.events import report_result_if_final

    still_ours = Message.objects.filter(status=Status.SENDING, sending_started_at=claimed_at)
    sent = [(m, f) for m, f in outcomes if f["status"] == Status.SENT and "provider_sid" in f]
    if connection.vendor != "postgresql" or len(sent) < 2:
        sent = []
    written = {message.pk for message, _fields in sent}
    with transaction.atomic():
        if sent:
            try:
                with transaction.atomic():
                    _record_sent(sent, claimed_at)
            except IntegrityError:  # a provider SID another message holds: row by row below
                written = set()
        for message, fields in outcomes:
            if message.pk not in written:
                _record_one(still_ours, message, fields)
    for message, fields in outcomes:
        if fields["status"] in Message.FINAL_STATUSES:
            report_result_if_final(message_id=message.id)


def _record_one(still_ours, message: Message, fields: dict) -> None:
    """One result; a provider SID another message already holds (unique) fails this message
    alone instead of rolling back the batch's results, which would send them all again."""
    if "provider_sid" not in fields:
        still_ours.filter(pk=message.pk).update(**fields)
        return
    try:
        with transaction.atomic():
            still_ours.filter(pk=message.pk).update(**fields)
    except IntegrityError:
        logger.error(
            "message %s: provider SID %s belongs to another message",
            message.pk,
            fields["provider_sid"],
        )
        still_ours.filter(pk=message.pk).update(
            **_ended(Status.FAILED, "duplicate_sid", DUPLICATE_SID)
        )


DUPLICATE_SID = "The provider reported another message's SID for this one; not sent again."

SENT_UPDATE = """
UPDATE {table} AS m SET
    status = %s, sent_at = %s, provider_sid = v.sid, provider_status = v.provider_status,
    segments = COALESCE(v.segments, m.segments), price = COALESCE(v.price, m.price),
    price_unit = CASE WHEN v.price IS NULL THEN m.price_unit ELSE v.price_unit END,
    error_code = '', error_message = ''
FROM (VALUES {rows}) AS v(id, sid, provider_status, segments, price, price_unit)
WHERE m.id = v.id AND m.status = %s AND m.sending_started_at = %s
"""
SENT_ROW = "(%s::bigint, %s, %s, %s::integer, %s::numeric, %s)"


def _record_sent(sent: list[tuple[Message, dict]], claimed_at: datetime.datetime) -> None:
    """The same conditional update as the one-by-one path, for many sent messages at once."""
    values: list = []
    for message, fields in sent:
        values += [
            message.pk,
            fields["provider_sid"],
            fields["provider_status"],
            fields.get("segments"),
            fields.get("price"),
            fields.get("price_unit", ""),
        ]
    sql = SENT_UPDATE.format(table=Message._meta.db_table, rows=", ".join([SENT_ROW] * len(sent)))
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [Status.SENT, sent[0][1]["sent_at"], *values, Status.SENDING, claimed_at]
        )
