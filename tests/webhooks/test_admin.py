"""The admin: delivery logs readable, secrets never shown, the active switch goes through the
service (switching on clears the automatic-disable reason)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery
from webhooks.services import create_endpoint, publish_event, update_endpoint
from webhooks.signing import decrypt_secret


@pytest.fixture
def admin_client(client, settings, db):
    settings.REQUIRE_STAFF_MFA = False
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_admin_pages_show_endpoints_and_logs_without_secrets(admin_client, tenant, receiver):
    endpoint, secret = create_endpoint(tenant=tenant, url=receiver.url)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    deliver_due()
    delivery = WebhookDelivery.objects.get()
    pages = [
        reverse("admin:webhooks_webhookendpoint_changelist"),
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_webhookevent_changelist"),
        reverse("admin:webhooks_webhookdelivery_changelist"),
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]),
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        assert secret not in response.content.decode()
        assert endpoint.secret_encrypted not in response.content.decode()


def test_switching_on_in_the_admin_clears_the_reason(admin_client, tenant, receiver):
    endpoint, secret = create_endpoint(tenant=tenant, url=receiver.url)
    update_endpoint(endpoint=endpoint, is_active=False)

    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        {
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
            "deliveries-MIN_NUM_FORMS": "0",
            "deliveries-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason, endpoint.disabled_at) == (True, "", None)
    assert decrypt_secret(endpoint.secret_encrypted) == secret
