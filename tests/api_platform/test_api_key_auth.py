"""An ERP authenticates with `Authorization: Bearer <key>` and acts for the key's client only."""

from __future__ import annotations

from django.utils import timezone

from tenants.models import ApiKey, Tenant
from tenants.services import revoke_api_key


def test_me_names_the_client_and_key_of_the_request(client, tenant, read_key, read_auth):
    api_key, _raw = read_key

    response = client.get("/api/v1/me", headers=read_auth)

    assert response.status_code == 200
    assert response.json() == {"tenant": tenant.slug, "key": api_key.prefix, "scope": "read"}


def test_an_unknown_key_is_refused_with_a_bearer_challenge(client, tenant):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer mk_00000000_nope"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_key_is_refused(client, read_key, read_auth):
    revoke_api_key(api_key=read_key[0])

    assert client.get("/api/v1/me", headers=read_auth).status_code == 401


def test_a_suspended_clients_key_is_refused(client, tenant, read_auth):
    Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.SUSPENDED)

    assert client.get("/api/v1/me", headers=read_auth).status_code == 401


def test_using_a_key_records_when_it_was_last_used(client, read_key, read_auth):
    api_key, _raw = read_key
    before = timezone.now()

    client.get("/api/v1/me", headers=read_auth)

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None and api_key.last_used_at >= before


def test_a_read_key_cannot_post(client, read_auth):
    response = client.post("/api/v1/ping", headers=read_auth)

    assert response.status_code == 403
    assert "id" not in response.json()


def test_a_write_key_can_ping(client, write_auth):
    response = client.post("/api/v1/ping", headers=write_auth)

    assert response.status_code == 200
    assert set(response.json()) == {"id", "received_at"}


def test_a_logged_in_client_user_reaches_the_api_without_a_key(finance_client, tenant):
    response = finance_client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["tenant"] == tenant.slug
    assert response.json()["key"] is None


def test_a_request_without_credentials_is_asked_for_a_key(client, db):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_key_objects_never_hold_the_raw_key(read_key):
    api_key, raw = read_key

    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()

    assert raw not in {str(value) for value in stored.values()}
