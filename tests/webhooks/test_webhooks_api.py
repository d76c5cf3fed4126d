"""`/api/v1/webhooks`: the ERP manages its endpoints with a write key; the secret comes back only
on create; read keys read; another client's endpoints are 404; bad input says what is wrong."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tenants.models import ApiKey
from tenants.services import create_api_key
from tests.webhooks.conftest import verify_signature
from webhooks.delivery import deliver_due
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import create_endpoint, publish_event

BASE = "/api/v1/webhooks"


def api_of(tenant, scope: str = ApiKey.Scope.WRITE) -> APIClient:
    _key, raw_key = create_api_key(tenant=tenant, name="ERP", scope=scope)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


@pytest.fixture
def api(tenant) -> APIClient:
    return api_of(tenant)


def test_create_returns_the_secret_once_and_it_signs(api, tenant, receiver):
    response = api.post(
        BASE,
        {"url": receiver.url, "description": "Comarch", "event_types": ["payment.matched"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert response["Cache-Control"] == "no-store"
    assert created["event_types"] == ["payment.matched"]
    listed = api.get(BASE).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in api.get(f"{BASE}/{created['id']}").json()

    publish_event(tenant=tenant, event_type="payment.matched", data={"payment_id": 1})
    deliver_due()
    request = receiver.requests[0]
    assert verify_signature(secret=created["secret"], headers=request.headers, body=request.body)


def test_patch_changes_only_what_is_sent(api, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url, description="old")
    response = api.patch(f"{BASE}/{endpoint.pk}", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert response.json()["description"] == "old"
    assert response.json()["disabled_reason"]

    response = api.patch(f"{BASE}/{endpoint.pk}", {"is_active": True}, format="json")
    assert (response.json()["is_active"], response.json()["disabled_reason"]) == (True, "")


def test_delete(api, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    assert api.delete(f"{BASE}/{endpoint.pk}").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_test_event_and_the_delivery_log(api, tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    response = api.post(f"{BASE}/{endpoint.pk}/test")
    assert response.status_code == 202
    assert response.json()["state"] == "pending"
    assert response.json()["event"]["type"] == "webhook.test"

    deliver_due()

    log = api.get(f"{BASE}/{endpoint.pk}/deliveries").json()["results"]
    assert [(row["state"], row["last_status"], row["attempts"]) for row in log] == [
        ("delivered", 200, 1)
    ]
    assert log[0]["event"]["data"]["endpoint_id"] == endpoint.pk


def test_rotate_secret_returns_the_new_one(api, tenant, receiver):
    endpoint, old = create_endpoint(tenant=tenant, url=receiver.url)
    response = api.post(f"{BASE}/{endpoint.pk}/rotate-secret")
    assert response.status_code == 200
    assert response.json()["secret"].startswith("whsec_")
    assert response.json()["secret"] != old


def test_event_types_are_listed(api):
    types = {row["type"] for row in api.get(f"{BASE}/event-types").json()}
    assert {"payment.matched", "import.finished", "webhook.test"} <= types


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "not a url"}, "url", "full URL"),
        ({"url": "https://10.0.0.1/h"}, "url", "private or local address"),
        ({"url": "https://93.184.215.14/h", "event_types": ["nope"]}, "event_types", "nope"),
        ({"url": "https://93.184.215.14/h", "event_type": ["payment.matched"]}, "event_type", ""),
        ({}, "url", "required"),
    ],
)
def test_bad_input_gets_a_specific_error(api, production_urls, body, field, message):
    response = api.post(BASE, body, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])


def test_a_read_key_reads_but_cannot_write(tenant, receiver):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    read_api = api_of(tenant, ApiKey.Scope.READ)
    assert read_api.get(BASE).status_code == 200
    assert read_api.get(f"{BASE}/{endpoint.pk}/deliveries").status_code == 200
    assert read_api.post(BASE, {"url": receiver.url}, format="json").status_code == 403
    assert read_api.patch(f"{BASE}/{endpoint.pk}", {"description": "x"}).status_code == 403
    assert read_api.delete(f"{BASE}/{endpoint.pk}").status_code == 403
    assert read_api.post(f"{BASE}/{endpoint.pk}/test").status_code == 403
    assert read_api.post(f"{BASE}/{endpoint.pk}/rotate-secret").status_code == 403
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("get", "/deliveries"),
        ("post", "/test"),
        ("post", "/rotate-secret"),
    ],
)
def test_another_clients_endpoint_is_a_404(tenant, other_tenant, receiver, method, suffix):
    endpoint, _ = create_endpoint(tenant=tenant, url=receiver.url)
    other_api = api_of(other_tenant)
    response = getattr(other_api, method)(f"{BASE}/{endpoint.pk}{suffix}", {}, format="json")
    assert response.status_code == 404
    assert other_api.get(BASE).json()["results"] == []
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_encrypted == endpoint.secret_encrypted


def test_a_forged_cursor_is_a_400(api):
    response = api.get(BASE, {"cursor": "cD1hYmM="})  # "p=abc"
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_a_replayed_create_returns_the_same_secret_which_is_never_stored_in_clear(api, receiver):
    from tenants.models import IdempotencyRecord

    payload = {"url": receiver.url, "event_types": ["payment.matched"]}
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-endpoint-1"}

    first = api.post(BASE, payload, format="json", **headers)
    replay = api.post(BASE, payload, format="json", **headers)

    assert first.status_code == replay.status_code == 201
    assert replay.json()["secret"] == first.json()["secret"]
    assert replay["Cache-Control"] == "no-store"
    assert WebhookEndpoint.objects.count() == 1
    stored = bytes(IdempotencyRecord.objects.get().response_body)
    assert first.json()["secret"].encode() not in stored
