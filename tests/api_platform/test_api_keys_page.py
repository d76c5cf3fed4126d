"""The owner's API keys page: their client's keys only, a new key shown once, revoking."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tenants.models import ApiKey, hash_key
from tenants.services import create_api_key

LIST_URL = "/client/api-keys/"
CREATE_URL = "/client/api-keys/new/"


def revoke_url(api_key: ApiKey) -> str:
    return reverse("api_key_revoke", args=[api_key.pk])


def test_the_owner_sees_only_their_clients_keys(owner_client, tenant, other_tenant, write_key):
    create_api_key(tenant=other_tenant, name="Somebody else's ERP", scope="write")

    response = owner_client.get(LIST_URL)

    assert response.status_code == 200
    assert list(response.context["api_keys"]) == [write_key[0]]
    assert "ERP Comarch nightly" in response.text
    assert f"mk_{write_key[0].prefix}_" in response.text
    assert "Somebody else" not in response.text


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(owner_client, tenant):
    response = owner_client.post(CREATE_URL, {"name": "Symfonia", "scope": "write"})

    assert response.status_code == 200
    raw_key = re.search(r'id="raw-key" value="(mk_[^"]+)"', response.text).group(1)
    api_key = ApiKey.objects.get(tenant=tenant, name="Symfonia")
    assert api_key.key_hash == hash_key(raw_key)
    assert api_key.scope == ApiKey.Scope.WRITE
    assert "no-store" in response["Cache-Control"]
    assert raw_key not in owner_client.get(LIST_URL).text


def test_the_new_key_works_against_the_api(owner_client, client):
    response = owner_client.post(CREATE_URL, {"name": "Symfonia", "scope": "read"})
    raw_key = re.search(r'id="raw-key" value="(mk_[^"]+)"', response.text).group(1)

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw_key}"})

    assert me.status_code == 200
    assert me.json()["scope"] == "read"


def test_a_key_without_a_name_is_not_created(owner_client, tenant):
    response = owner_client.post(CREATE_URL, {"name": "", "scope": "write"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiKey.objects.filter(tenant=tenant).exists()


def test_revoking_asks_first_then_refuses_the_key(owner_client, client, write_key, write_auth):
    api_key, _raw = write_key

    confirm = owner_client.get(revoke_url(api_key))
    response = owner_client.post(revoke_url(api_key))

    assert confirm.status_code == 200
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert client.get("/api/v1/me", headers=write_auth).status_code == 401


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", LIST_URL), ("post", CREATE_URL), ("get", "revoke"), ("post", "revoke")],
)
def test_finance_users_get_a_403_page(finance_client, write_key, method, url):
    url = revoke_url(write_key[0]) if url == "revoke" else url

    response = getattr(finance_client, method)(url, {"name": "Mine", "scope": "write"})

    assert response.status_code == 403
    assert "tenants/api_keys_forbidden.html" in [t.name for t in response.templates]
    write_key[0].refresh_from_db()
    assert write_key[0].is_active
    assert ApiKey.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_clients_key_is_a_404(other_owner_client, write_key, method):
    response = getattr(other_owner_client, method)(revoke_url(write_key[0]))

    assert response.status_code == 404
    write_key[0].refresh_from_db()
    assert write_key[0].is_active


def test_someone_logged_out_is_sent_to_the_login_page(client, db):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
