"""Status reconciliation: a sent message whose status callback never came is asked about by SID.

Twilio retries its callbacks, but a callback can still be lost (our site down for longer than its
retries). Beat runs `refresh_statuses` hourly; each answer goes through the same forward-only
`record_status` as a callback, so a late callback and this check never contradict each other.
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from dunning.channels import SendError, backend_for
from dunning.models import Message
from dunning.outbox.events import record_status, report_result_if_final

logger = logging.getLogger("dunning.outbox")

# Younger messages may still get their callback; older ones are not worth asking about.
QUIET_FOR = datetime.timedelta(hours=1)
GIVE_UP_AFTER = datetime.timedelta(days=3)


def refresh_statuses(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Ask the provider about sent messages silent for an hour; returns how many moved on."""
    now = now or timezone.now()
    waiting = (
        Message.objects.filter(
            status=Message.Status.SENT,
            direction="outbound",
            sent_at__lte=now - QUIET_FOR,
            sent_at__gte=now - GIVE_UP_AFTER,
        )
        .exclude(provider_sid="")
        .order_by("sent_at")[:limit]
    )
    moved = 0
    for message in waiting:
        key = "CallStatus" if message.channel in ("voice", "call") else "MessageStatus"
        try:
            result = backend_for(message.channel).fetch(message)
        except SendError as error:
            logger.warning("status of message %s not refreshed: %s", message.pk, error)
            continue
        if result is None:
            continue
        params = {
            key: result.status,
            "ErrorCode": result.error_code,
            "AnsweredBy": result.answered_by,
        }
        updated = record_status(message=message, params={k: v for k, v in params.items() if v})
        moved += updated.status != Message.Status.SENT
    _report_unreported(now=now, limit=limit)
    return moved


def _report_unreported(*, now: datetime.datetime, limit: int) -> None:
    """Final messages whose contact result a failing receiver did not take: offer it again."""
    for message_id in (
        Message.objects.filter(
            status__in=[
                Message.Status.DELIVERED,
                Message.Status.UNDELIVERED,
                Message.Status.FAILED,
            ],
            direction="outbound",
            result_reported_at__isnull=True,
            created_at__gte=now - datetime.timedelta(days=7),
        )
        .exclude(channel="call")
        .values_list("id", flat=True)[:limit]
    ):
        report_result_if_final(message_id=message_id)
