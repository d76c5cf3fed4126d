"""Attempts against a real receiver: the signed request, retries on the Standard Webhooks
schedule (the beat's sweep with a moved clock, no sleeps), giving up, and auto-disabling."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from tests.webhooks.conftest import verify_signature
from webhooks import delivery as sending
from webhooks import services
from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import create_endpoint, publish_event, rotate_secret
from webhooks.tasks import deliver_due_webhooks

DATA = {"payment_id": 345, "amount": "1230.00", "currency": "PLN"}


def delivery_of(tenant) -> WebhookDelivery:
    return WebhookDelivery.objects.for_tenant(tenant).select_related("endpoint").get()


def test_a_delivery_is_a_signed_json_post_and_is_marked_delivered(tenant, receiver):
    endpoint, secret = create_endpoint(tenant=tenant, url=receiver.url)
    event = publish_event(tenant=tenant, event_type="payment.matched", data=DATA)

    assert deliver_due_webhooks() == 1  # the beat's task, as the worker runs it

    request = receiver.requests[0]
    assert request.path == "/hooks"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == event.msg_id
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 30
    assert verify_signature(secret=secret, headers=request.headers, body=request.body)
    body = json.loads(request.body)
    assert body["type"] == "payment.matched"
    assert body["data"] == DATA
    assert datetime.datetime.fromisoformat(body["timestamp"]) == event.created_at
    delivery = delivery_of(tenant)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert delivery.next_attempt_at is None
    assert delivery.response_excerpt == "ok"
    assert deliver_due_webhooks() == 0  # nothing is sent twice


def test_the_standardwebhooks_library_accepts_our_signature(tenant, receiver):
    standardwebhooks = pytest.importorskip("standardwebhooks")
    _endpoint, secret = create_endpoint(tenant=tenant, url=receiver.url)
    publish_event(tenant=tenant, event_type="promise.created", data={"due": "2026-12-01"})
    deliver_due()

    request = receiver.requests[0]
    payload = standardwebhooks.Webhook(secret).verify(request.body, request.headers)
    assert payload["data"] == {"due": "2026-12-01"}


def test_after_a_rotation_both_secrets_sign_for_a_day(tenant, receiver):
    endpoint, old_secret = create_endpoint(tenant=tenant, url=receiver.url)
    new_secret = rotate_secret(endpoint=endpoint)
    publish_event(tenant=tenant, event_type="case.escalated", data={})
    deliver_due()

    request = receiver.requests[0]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    assert verify_signature(secret=old_secret, headers=request.headers, body=request.body)
    assert verify_signature(secret=new_secret, headers=request.headers, body=request.body)

    endpoint.refresh_from_db()
    publish_event(tenant=tenant, event_type="case.escalated", data={})
    deliver_due(now=timezone.now() + datetime.timedelta(hours=25))
    later = receiver.requests[1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    assert verify_signature(secret=new_secret, headers=later.headers, body=later.body)
    assert not verify_signature(secret=old_secret, headers=later.headers, body=later.body)


def test_failures_are_retried_on_the_schedule_with_the_same_id(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    receiver.answer(500, b"database down")
    receiver.answer(503)
    publish_event(tenant=tenant, event_type="promise.broken", data={"promise_id": 3})
    start = timezone.now()

    assert deliver_due(now=start) == 1
    delivery = delivery_of(tenant)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.response_excerpt == "database down"
    assert delivery.error == "HTTP 500"
    assert delivery.next_attempt_at == start + datetime.timedelta(seconds=5)

    assert deliver_due(now=start + datetime.timedelta(seconds=4)) == 0  # not yet due
    assert deliver_due(now=start + datetime.timedelta(seconds=5)) == 1
    second = start + datetime.timedelta(seconds=5)
    assert delivery_of(tenant).next_attempt_at == second + datetime.timedelta(minutes=5)

    assert deliver_due(now=second + datetime.timedelta(minutes=5)) == 1
    delivery = delivery_of(tenant)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert delivery.error == ""
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1


def test_after_eight_failed_attempts_the_delivery_is_given_up(tenant, receiver, settings):
    settings.WEBHOOKS_DISABLE_AFTER_DAYS = 30  # this test is about one delivery, not the endpoint
    create_endpoint(tenant=tenant, url=receiver.url)
    for _ in range(9):
        receiver.answer(500)
    publish_event(tenant=tenant, event_type="dispute.opened", data={})
    now = timezone.now()

    waits = []
    while (delivery := delivery_of(tenant)).state == "pending":
        assert deliver_due(now=now) == 1
        delivery = delivery_of(tenant)
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at

    assert waits == sending.RETRY_DELAYS
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)
    assert len(receiver.requests) == 8
    assert deliver_due(now=now + datetime.timedelta(days=3)) == 0


def test_an_endpoint_failing_for_days_is_disabled_with_the_reason(tenant, receiver, settings):
    settings.WEBHOOKS_DISABLE_AFTER_DAYS = 5
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    for _ in range(20):
        receiver.answer(410, b"gone")
    start = timezone.now() + datetime.timedelta(seconds=1)  # after each day's event is written
    for day in range(6):
        publish_event(tenant=tenant, event_type="import.finished", data={"day": day})
        deliver_due(now=start + datetime.timedelta(days=day))

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert "Disabled automatically" in endpoint.disabled_reason
    assert "HTTP 410" in endpoint.disabled_reason
    pending = WebhookDelivery.objects.for_tenant(tenant).filter(state="pending")
    assert not pending.exists()  # what was waiting is given up, visibly
    assert publish_event(tenant=tenant, event_type="import.finished", data={}) is None


def test_one_success_ends_a_run_of_failures(tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    receiver.answer(500)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    now = timezone.now()
    deliver_due(now=now)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).failing_since == now

    deliver_due(now=now + datetime.timedelta(seconds=5))
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).failing_since is None


def test_redirects_are_not_followed(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    receiver.answer(302, headers={"Location": receiver.url + "/elsewhere"})
    publish_event(tenant=tenant, event_type="import.finished", data={})
    deliver_due()

    delivery = delivery_of(tenant)
    assert (delivery.state, delivery.last_status) == ("pending", 302)
    assert "Redirects are not followed" in delivery.error
    assert [request.path for request in receiver.requests] == ["/hooks"]


def test_the_kept_response_is_bounded(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    receiver.answer(200, b"x" * 100_000)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    deliver_due()
    assert len(delivery_of(tenant).response_excerpt) == 1000


def test_a_refused_connection_is_recorded_and_retried(tenant, receiver):
    create_endpoint(tenant=tenant, url="http://127.0.0.1:9/hooks")  # discard port: nobody there
    publish_event(tenant=tenant, event_type="import.finished", data={})
    deliver_due()

    delivery = delivery_of(tenant)
    assert (delivery.state, delivery.last_status) == ("pending", None)
    assert delivery.error.startswith("Connection failed")


def test_a_delivery_is_claimed_by_one_worker_only(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    delivery = delivery_of(tenant)
    now = timezone.now()

    assert sending._claim(delivery.pk, now)
    assert not sending._claim(delivery.pk, now)  # a second worker, or a duplicate task
    assert sending.attempt_delivery(delivery_id=delivery.pk, now=now) is None
    assert receiver.requests == []
    # A worker that died mid-attempt loses the claim when its lease runs out.
    later = now + sending.CLAIM_LEASE
    assert sending.attempt_delivery(delivery_id=delivery.pk, now=later).state == "delivered"
    assert delivery_of(tenant).attempts == 2


def test_retry_now_sends_a_failed_delivery_again(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    WebhookDelivery.objects.for_tenant(tenant).update(state="failed", next_attempt_at=None)

    services.retry_delivery(delivery=delivery_of(tenant))
    assert deliver_due() == 1
    assert delivery_of(tenant).state == "delivered"
