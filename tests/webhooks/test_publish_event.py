"""`publish_event` writes the outbox inside the caller's transaction: subscribed endpoints only,
nothing at all when the business transaction rolls back, and unknown types are refused."""

from __future__ import annotations

import pytest
from django.db import transaction

from webhooks.events import UnknownEventType
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import create_endpoint, publish_event, update_endpoint

DATA = {"import_id": 12, "status": "done", "created": 100, "rejected": 5}


def test_one_delivery_per_active_subscribed_endpoint(tenant, receiver):
    everything, _ = create_endpoint(tenant=tenant, url=receiver.url)
    imports_only, _ = create_endpoint(
        tenant=tenant, url=receiver.url + "/2", event_types=["import.finished"]
    )
    payments_only, _ = create_endpoint(
        tenant=tenant, url=receiver.url + "/3", event_types=["payment.matched"]
    )
    switched_off, _ = create_endpoint(tenant=tenant, url=receiver.url + "/4")
    update_endpoint(endpoint=switched_off, is_active=False)

    event = publish_event(tenant=tenant, event_type="import.finished", data=DATA)

    assert event.msg_id.startswith("msg_")
    assert event.data == DATA
    endpoints = set(WebhookDelivery.objects.for_tenant(tenant).values_list("endpoint", flat=True))
    assert endpoints == {everything.pk, imports_only.pk}


def test_nothing_is_written_when_no_endpoint_subscribes(tenant, other_tenant, receiver):
    create_endpoint(tenant=other_tenant, url=receiver.url)  # another client's endpoint
    assert publish_event(tenant=tenant, event_type="promise.created", data={}) is None
    assert WebhookEvent.objects.count() == 0


def test_delivery_is_queued_only_once_the_transaction_commits(
    tenant, receiver, django_capture_on_commit_callbacks
):
    create_endpoint(tenant=tenant, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        publish_event(tenant=tenant, event_type="dispute.opened", data={"invoice_id": 7})
    assert len(queued) == 1


def test_a_rolled_back_business_transaction_publishes_nothing(
    tenant, receiver, django_capture_on_commit_callbacks
):
    create_endpoint(tenant=tenant, url=receiver.url)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            publish_event(tenant=tenant, event_type="payment.matched", data={"payment_id": 1})
            raise RuntimeError("the payment could not be recorded")

    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert queued == []


def test_an_unknown_event_type_is_a_programming_error(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    with pytest.raises(UnknownEventType, match="payment.matchd"):
        publish_event(tenant=tenant, event_type="payment.matchd", data={})
