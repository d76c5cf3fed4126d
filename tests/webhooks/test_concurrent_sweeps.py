"""Two workers sweeping at once (the beat fired twice, or a slow sweep overlapping the next one):
every delivery is sent exactly once. PostgreSQL only (CI runs on it): SQLite's in-memory test
database locks whole tables between threads, which is not what this is about."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery
from webhooks.services import create_endpoint, publish_event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI)"),
]


def test_two_sweeps_at_once_send_each_delivery_once(tenant, receiver):
    create_endpoint(tenant=tenant, url=receiver.url)
    for number in range(40):
        publish_event(tenant=tenant, event_type="import.finished", data={"n": number})
    attempted: list[int] = []

    def sweep() -> None:
        try:
            attempted.append(deliver_due())
        finally:
            connection.close()  # each thread has its own connection

    workers = [threading.Thread(target=sweep) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert sum(attempted) == 40
    assert len(receiver.requests) == 40
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 40
    states = WebhookDelivery.objects.for_tenant(tenant).values_list("state", "attempts")
    assert set(states) == {("delivered", 1)}
