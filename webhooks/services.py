"""Writes of the webhooks app: endpoints, publishing events into the outbox, manual retries.

Other apps call `publish_event` (see the package docstring for the payloads we recommend);
sending is in webhooks.delivery.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import Tenant, User
from webhooks import safety, signing
from webhooks.events import EVENT_TYPES, TEST_EVENT, check_event_type
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

# A rotated secret keeps signing alongside the new one this long, so the receiver can switch.
ROTATION_OVERLAP = datetime.timedelta(hours=24)
# Every endpoint multiplies the deliveries of each event; a runaway integration must not add
# thousands.
MAX_ENDPOINTS_PER_CLIENT = 20


# --- Endpoints ------------------------------------------------------------------------------


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types))
    unknown = [name for name in chosen if name not in EVENT_TYPES or name == TEST_EVENT]
    if unknown:
        raise ValidationError(
            {
                "event_types": _("Unknown event type %(types)s; expected some of: %(known)s.")
                % {
                    "types": ", ".join(unknown),
                    "known": ", ".join(name for name in EVENT_TYPES if name != TEST_EVENT),
                }
            }
        )
    return chosen


def _clean_url(url: str) -> str:
    try:
        return safety.check_url(url)
    except ValidationError as error:
        raise ValidationError({"url": error.messages}) from error


@transaction.atomic
def create_endpoint(
    *,
    tenant: Tenant,
    url: str,
    description: str = "",
    event_types: Iterable[str] = (),
    created_by: User | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new active endpoint and its secret (`whsec_…`), which the caller shows once."""
    if WebhookEndpoint.objects.for_tenant(tenant).count() >= MAX_ENDPOINTS_PER_CLIENT:
        raise ValidationError(
            _("A client can have at most %(limit)d endpoints; delete one you no longer use.")
            % {"limit": MAX_ENDPOINTS_PER_CLIENT}
        )
    secret = signing.generate_secret()
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant,
        url=_clean_url(url),
        description=description,
        event_types=_clean_event_types(event_types),
        secret_encrypted=signing.encrypt_secret(secret),
        created_by=created_by,
    )
    return endpoint, secret


@transaction.atomic
def update_endpoint(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    description: str | None = None,
    event_types: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given (None keeps a field). Switching on again clears the failure record."""
    if url is not None:
        endpoint.url = _clean_url(url)
    if description is not None:
        endpoint.description = description
    if event_types is not None:
        endpoint.event_types = _clean_event_types(event_types)
    if is_active is True and not endpoint.is_active:
        endpoint.is_active = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    elif is_active is False and endpoint.is_active:
        disable_endpoint(endpoint=endpoint, reason=_("Disabled by the client."), now=timezone.now())
    endpoint.save()
    return endpoint


@transaction.atomic
def rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one signs too for ROTATION_OVERLAP. Returns the new one, shown once."""
    secret = signing.generate_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
    endpoint.secret_encrypted = signing.encrypt_secret(secret)
    endpoint.save(
        update_fields=[
            "previous_secret_encrypted",
            "previous_secret_expires_at",
            "secret_encrypted",
            "updated_at",
        ]
    )
    return secret


@transaction.atomic
def delete_endpoint(*, endpoint: WebhookEndpoint) -> None:
    """The endpoint and its delivery log go; the events stay (other endpoints may share them)."""
    endpoint.delete()


def disable_endpoint(*, endpoint: WebhookEndpoint, reason: str, now: datetime.datetime) -> None:
    """Switch the endpoint off; what was waiting for it is given up (retry it from the log)."""
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason[:300]
    WebhookDelivery.objects.for_tenant(endpoint.tenant).filter(
        endpoint=endpoint, state=WebhookDelivery.State.PENDING
    ).update(
        state=WebhookDelivery.State.FAILED,
        next_attempt_at=None,
        error=_("Not sent: the endpoint was disabled."),
    )


# --- Publishing -----------------------------------------------------------------------------


def new_msg_id() -> str:
    return "msg_" + secrets.token_hex(16)


def publish_event(*, tenant: Tenant, event_type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Put an event in the outbox for every active endpoint subscribed to it; None if none is.

    Runs inside the caller's transaction: if that rolls back, nothing was published. Sending
    starts once it commits. An unknown `event_type` raises UnknownEventType.
    """
    check_event_type(event_type)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.for_tenant(tenant).filter(is_active=True)
        if endpoint.subscribes_to(event_type)
    ]
    if not endpoints:
        return None
    return _write_event(tenant=tenant, event_type=event_type, data=data, endpoints=endpoints)


def send_test_event(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` event to this endpoint only."""
    if not endpoint.is_active:
        raise ValidationError(_("The endpoint is disabled; enable it before sending a test."))
    data = {
        "endpoint_id": endpoint.pk,
        "message": "A test event from Monitoring. Check its signature, then answer with 2xx.",
    }
    event = _write_event(
        tenant=endpoint.tenant, event_type=TEST_EVENT, data=data, endpoints=[endpoint]
    )
    return WebhookDelivery.objects.for_tenant(endpoint.tenant).get(event=event)


def _write_event(
    *,
    tenant: Tenant,
    event_type: str,
    data: dict[str, Any],
    endpoints: list[WebhookEndpoint],
) -> WebhookEvent:
    now = timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            tenant=tenant, event_type=event_type, msg_id=new_msg_id(), data=data
        )
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(tenant=tenant, event=event, endpoint=endpoint, next_attempt_at=now)
            for endpoint in endpoints
        )
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: enqueue_deliveries(delivery_ids=delivery_ids), robust=True)
    return event


def enqueue_deliveries(*, delivery_ids: list[int], countdown: float = 0) -> None:
    """Ask a worker to attempt these now (or after `countdown` s); the beat catches any lost."""
    from webhooks.tasks import deliver_webhook  # tasks import this module

    for delivery_id in delivery_ids:
        deliver_webhook.apply_async(args=[delivery_id], countdown=countdown or None)


# --- Delivering -----------------------------------------------------------------------------


@transaction.atomic
def retry_delivery(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """'Retry now' on a failed delivery: one more attempt at once.

    Only failed ones: a pending delivery may be mid-attempt, and is retried on schedule anyway.
    """
    if delivery.state != WebhookDelivery.State.FAILED:
        raise ValidationError(_("Only a failed delivery can be retried; this one is not."))
    if not delivery.endpoint.is_active:
        raise ValidationError(_("The endpoint is disabled; enable it before retrying."))
    WebhookDelivery.objects.for_tenant(delivery.tenant).filter(
        pk=delivery.pk, state=WebhookDelivery.State.FAILED
    ).update(state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now())
    transaction.on_commit(lambda: enqueue_deliveries(delivery_ids=[delivery.pk]), robust=True)
    delivery.refresh_from_db()
    return delivery


def purge_old_events(*, now: datetime.datetime | None = None) -> int:
    """Delete events (with their deliveries) older than WEBHOOKS_RETENTION_DAYS that nothing is
    still trying to send. Returns how many events went."""
    days = getattr(settings, "WEBHOOKS_RETENTION_DAYS", 90)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    old = WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__state=WebhookDelivery.State.PENDING
    )
    deleted, by_model = old.delete()
    return by_model.get(WebhookEvent._meta.label, 0)
