"""The owner's webhooks pages: add (secret shown once), edit, rotate, delete, send a test, read
the log (polling while pending), retry — and only the client's own endpoints."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import create_endpoint, publish_event
from webhooks.signing import decrypt_secret


def test_adding_an_endpoint_shows_its_secret_once(owner_client, tenant, receiver):
    response = owner_client.post(
        reverse("webhooks:create"),
        {"url": receiver.url, "description": "Comarch", "event_types": ["import.finished"]},
    )

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.for_tenant(tenant).get()
    secret = decrypt_secret(endpoint.secret_encrypted)
    assert secret in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert (endpoint.description, endpoint.event_types) == ("Comarch", ["import.finished"])
    for page in ("webhooks:list", "webhooks:detail"):
        args = [endpoint.pk] if page.endswith("detail") else []
        assert secret not in owner_client.get(reverse(page, args=args)).content.decode()


def test_a_bad_url_or_event_type_is_refused_on_the_form(owner_client, tenant, production_urls):
    response = owner_client.post(reverse("webhooks:create"), {"url": "https://10.0.0.1/x"})
    assert response.status_code == 400
    assert "private or local address" in response.context["form"].errors["url"][0]

    response = owner_client.post(
        reverse("webhooks:create"),
        {"url": "https://93.184.215.14/hooks", "event_types": ["invoice.eaten"]},
    )
    assert response.status_code == 400
    assert "invoice.eaten" in response.context["form"].errors["event_types"][0]
    assert not WebhookEndpoint.objects.for_tenant(tenant).exists()


def test_only_owners_manage_webhooks(finance_client, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    assert finance_client.get(reverse("webhooks:list")).status_code == 403
    assert finance_client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 403
    response = finance_client.post(reverse("webhooks:rotate_secret", args=[endpoint.pk]))
    assert response.status_code == 403


def test_send_test_event_and_follow_it_in_the_log(owner_client, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url, event_types=["promise.created"])
    detail = reverse("webhooks:detail", args=[endpoint.pk])

    response = owner_client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert response["Location"] == detail
    delivery = WebhookDelivery.objects.for_tenant(tenant).get()
    assert delivery.event.event_type == "webhook.test"  # sent whatever the endpoint subscribes to
    page = owner_client.get(detail)
    assert b'hx-trigger="every 2s"' in page.content  # the log refreshes while it is pending

    deliver_due()

    partial = owner_client.get(detail, HTTP_HX_REQUEST="true")
    assert b'data-state="delivered"' in partial.content
    assert b"every 2s" not in partial.content
    assert b"<html" not in partial.content
    assert receiver.requests[0].headers["webhook-id"] == delivery.event.msg_id


def test_the_log_is_paginated_newest_first(owner_client, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    events = [
        publish_event(tenant=tenant, event_type="import.finished", data={"n": n}) for n in range(30)
    ]
    page = owner_client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert page.context["page"][0].event == events[-1]
    assert len(page.context["page"]) == 25
    second = owner_client.get(reverse("webhooks:detail", args=[endpoint.pk]) + "?page=2")
    assert len(second.context["page"]) == 5


def test_retry_now_on_a_failed_delivery(owner_client, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    delivery = WebhookDelivery.objects.for_tenant(tenant).get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="failed", next_attempt_at=None)

    owner_client.post(reverse("webhooks:retry", args=[endpoint.pk, delivery.pk]))
    deliver_due()

    delivery.refresh_from_db()
    assert delivery.state == "delivered"


def test_edit_rotate_and_delete(owner_client, tenant, receiver):
    endpoint, old_secret = create_endpoint(tenant=tenant, url=receiver.url)

    response = owner_client.post(
        reverse("webhooks:edit", args=[endpoint.pk]),
        {"url": receiver.url + "/v2", "description": "", "event_types": ["dispute.opened"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.is_active) == (
        receiver.url + "/v2",
        ["dispute.opened"],
        False,  # the box was left unticked
    )
    assert "Disabled by the client" in endpoint.disabled_reason

    response = owner_client.post(reverse("webhooks:rotate_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    new_secret = decrypt_secret(endpoint.secret_encrypted)
    assert new_secret != old_secret
    assert new_secret in response.content.decode()

    assert owner_client.get(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 200
    response = owner_client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert response["Location"] == reverse("webhooks:list")
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


PAGES = [
    ("get", "webhooks:detail"),
    ("get", "webhooks:edit"),
    ("post", "webhooks:edit"),
    ("post", "webhooks:rotate_secret"),
    ("get", "webhooks:delete"),
    ("post", "webhooks:delete"),
    ("post", "webhooks:test"),
]


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_another_clients_endpoint_is_a_404(other_owner_client, tenant, receiver, method, name):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    response = getattr(other_owner_client, method)(reverse(name, args=[endpoint.pk]))
    assert response.status_code == 404
    endpoint.refresh_from_db()  # still there, unchanged
    assert endpoint.is_active


def test_another_clients_delivery_is_a_404(other_owner_client, other_tenant, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    publish_event(tenant=tenant, event_type="import.finished", data={})
    delivery = WebhookDelivery.objects.for_tenant(tenant).get()
    own_endpoint, _ = create_endpoint(tenant=other_tenant, url=receiver.url)

    for endpoint_id in (endpoint.pk, own_endpoint.pk):
        url = reverse("webhooks:retry", args=[endpoint_id, delivery.pk])
        assert other_owner_client.post(url).status_code == 404


def test_the_list_shows_only_the_clients_own_endpoints(owner_client, other_tenant, receiver):
    create_endpoint(tenant=other_tenant, url=receiver.url + "/theirs")
    response = owner_client.get(reverse("webhooks:list"))
    assert response.status_code == 200
    assert b"/theirs" not in response.content


def test_the_nav_links_owners_to_the_page(owner_client, tenant):
    assert reverse("webhooks:list").encode() in owner_client.get(reverse("api_keys")).content
    other = Client()
    user = MembershipFactory(tenant=tenant).user
    other.login(email=user.email, password=DEFAULT_PASSWORD)
    assert reverse("webhooks:list").encode() not in other.get(reverse("api_keys")).content
