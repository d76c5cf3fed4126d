"""Sending: claim a due delivery, POST it signed, record the answer, schedule the retry.

Retries live in the database (`next_attempt_at`), not in a worker's memory: the beat's sweep
(`deliver_due`, every minute) sends whatever is due, and several workers may sweep at once,
because each attempt first claims its row with a conditional UPDATE.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from webhooks import safety, signing, transport
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.selectors import due_delivery_ids
from webhooks.services import disable_endpoint, enqueue_deliveries

# Standard Webhooks' schedule: the first attempt at once, then these waits after each failure;
# eight attempts over about 27.5 hours, then the delivery is given up (failed).
RETRY_DELAYS = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claimed attempt owns its delivery this long; a worker that dies mid-attempt loses the claim
# and the beat retries it. Well above the HTTP timeouts (5 s + 10 s).
CLAIM_LEASE = datetime.timedelta(minutes=2)
# Retries shorter than this are also queued with a countdown, not left to the next beat tick.
QUICK_RETRY = datetime.timedelta(seconds=60)


def _disable_after() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "WEBHOOKS_DISABLE_AFTER_DAYS", 5))


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    """Take a due delivery for one attempt; False when it is not due or another worker has it.

    One conditional UPDATE, so two workers (or the beat and a queued task) never both send it.
    """
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            state=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=now,
        ).update(
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            next_attempt_at=now + CLAIM_LEASE,
        )
    )


def _secrets_in_use(endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    in_use = [signing.decrypt_secret(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires and expires > now:
        in_use.append(signing.decrypt_secret(endpoint.previous_secret_encrypted))
    return in_use


def request_body(event: WebhookEvent) -> bytes:
    payload = {
        "type": event.event_type,
        "timestamp": event.created_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":")).encode(payload).encode()


def attempt_delivery(
    *, delivery_id: int, now: datetime.datetime | None = None
) -> WebhookDelivery | None:
    """Claim the delivery if due, POST it once, record the outcome. None if it was not ours."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = (
        WebhookDelivery.objects.select_related("event", "endpoint", "tenant")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:  # its endpoint was deleted a moment ago
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        result = transport.AttemptResult(None, "", 0, _("Not sent: the endpoint is disabled."))
    else:
        result = _send(delivery, now)
    _record(delivery, result, now=now)
    return delivery


def _send(delivery: WebhookDelivery, now: datetime.datetime) -> transport.AttemptResult:
    endpoint, event = delivery.endpoint, delivery.event
    try:
        safety.check_url(endpoint.url)  # again: DNS may point elsewhere since it was saved
    except ValidationError as error:
        return transport.AttemptResult(None, "", 0, " ".join(error.messages))
    body = request_body(event)
    timestamp = int(time.time())
    headers = {
        "webhook-id": event.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signing.signature_header(
            secrets_in_use=_secrets_in_use(endpoint, now),
            msg_id=event.msg_id,
            timestamp=timestamp,
            body=body,
        ),
    }
    return transport.post(url=endpoint.url, body=body, headers=headers)


def _record(
    delivery: WebhookDelivery, result: transport.AttemptResult, *, now: datetime.datetime
) -> None:
    fields: dict[str, Any] = {
        "last_status": result.status,
        "response_excerpt": result.excerpt,
        "duration_ms": result.duration_ms,
        "error": result.error[:500],
    }
    endpoint = delivery.endpoint
    retry_in = None
    if result.delivered:
        fields |= {"state": WebhookDelivery.State.DELIVERED, "next_attempt_at": None}
        fields["delivered_at"] = now
    elif delivery.attempts < MAX_ATTEMPTS and endpoint.is_active:
        retry_in = RETRY_DELAYS[delivery.attempts - 1]
        fields["next_attempt_at"] = now + retry_in
    else:
        fields |= {"state": WebhookDelivery.State.FAILED, "next_attempt_at": None}
    with transaction.atomic():
        # Only while still ours: a 'retry now' or a disabling in between keeps its own state.
        WebhookDelivery.objects.filter(
            pk=delivery.pk, state=WebhookDelivery.State.PENDING, attempts=delivery.attempts
        ).update(**fields)
        disabled = _note_endpoint_health(
            endpoint, delivered=result.delivered, error=result.error, now=now
        )
    if disabled:
        fields |= {"state": WebhookDelivery.State.FAILED, "next_attempt_at": None}
    elif retry_in is not None and retry_in < QUICK_RETRY:
        enqueue_deliveries(delivery_ids=[delivery.pk], countdown=retry_in.total_seconds())
    for name, value in fields.items():
        setattr(delivery, name, value)


def _note_endpoint_health(
    endpoint: WebhookEndpoint, *, delivered: bool, error: str, now: datetime.datetime
) -> bool:
    """Track the run of failures; after WEBHOOKS_DISABLE_AFTER_DAYS of them, switch it off.

    Conditional UPDATEs, so concurrent attempts to one endpoint need no lock in the common
    cases. Returns whether the endpoint was disabled now.
    """
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if delivered:
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return False
    if endpoints.filter(is_active=True, failing_since__isnull=True).update(failing_since=now):
        return False  # the first failure of a run
    failing_for_long = (
        endpoints.filter(is_active=True, failing_since__lte=now - _disable_after())
        .select_for_update()
        .first()
    )
    if failing_for_long is None:
        return False
    reason = _(
        "Disabled automatically: every attempt failed since %(since)s (last: %(error)s)."
    ) % {"since": failing_for_long.failing_since.strftime("%Y-%m-%d %H:%M UTC"), "error": error}
    disable_endpoint(endpoint=failing_for_long, reason=reason, now=now)
    failing_for_long.save()
    return True


def deliver_due(
    *, now: datetime.datetime | None = None, limit: int = 200, budget_seconds: float = 50
) -> int:
    """The beat's sweep: attempt due deliveries until none is left, `limit` or the time budget.

    Safe to run on several workers at once: each attempt is claimed first. Returns attempts made.
    """
    deadline = time.monotonic() + budget_seconds
    attempted = 0
    while attempted < limit and time.monotonic() < deadline:
        batch = due_delivery_ids(now=now or timezone.now(), limit=min(50, limit - attempted))
        if not batch:
            break
        for delivery_id in batch:
            if attempt_delivery(delivery_id=delivery_id, now=now) is not None:
                attempted += 1
            if time.monotonic() >= deadline:
                break
    return attempted
