"""Limits that keep the outbox bounded: endpoints per client, and old events purged daily."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import MAX_ENDPOINTS_PER_CLIENT, create_endpoint, publish_event
from webhooks.tasks import purge_old_webhook_events


def test_a_client_has_a_bounded_number_of_endpoints(tenant, other_tenant, receiver):
    for number in range(MAX_ENDPOINTS_PER_CLIENT):
        create_endpoint(tenant=tenant, url=f"{receiver.url}/{number}")
    with pytest.raises(ValidationError, match="at most 20 endpoints"):
        create_endpoint(tenant=tenant, url=receiver.url)
    create_endpoint(tenant=other_tenant, url=receiver.url)  # another client's count is its own


def test_old_events_are_purged_unless_still_being_sent(tenant, receiver, settings):
    settings.WEBHOOKS_RETENTION_DAYS = 90
    create_endpoint(tenant=tenant, url=receiver.url)
    sent = publish_event(tenant=tenant, event_type="import.finished", data={"n": 1})
    deliver_due()
    waiting = publish_event(tenant=tenant, event_type="import.finished", data={"n": 2})
    recent = publish_event(tenant=tenant, event_type="import.finished", data={"n": 3})
    deliver_due()
    long_ago = timezone.now() - datetime.timedelta(days=91)
    WebhookEvent.objects.filter(pk__in=[sent.pk, waiting.pk]).update(created_at=long_ago)
    WebhookDelivery.objects.filter(event=waiting).update(state="pending")

    assert purge_old_webhook_events() == 1

    assert set(WebhookEvent.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
    assert not WebhookDelivery.objects.filter(event_id=sent.pk).exists()
