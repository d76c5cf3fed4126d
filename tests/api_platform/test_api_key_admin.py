"""Account managers list, create and revoke client API keys in admin; the hash never shows."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tenants.models import ApiKey, User, hash_key
from tenants.roles import OperatorRole
from tenants.services import create_api_key, create_operator_user
from tests.factories import DEFAULT_PASSWORD

CHANGELIST = reverse("admin:tenants_apikey_changelist")
ADD = reverse("admin:tenants_apikey_add")


@pytest.fixture
def account_manager(db, settings) -> User:
    settings.REQUIRE_STAFF_MFA = False
    return create_operator_user(
        email="opiekun@example.com",
        role=OperatorRole.ACCOUNT_MANAGER,
        password=DEFAULT_PASSWORD,
        full_name="Ewa Nowak",
    )


@pytest.fixture
def manager_client(client, account_manager):
    client.force_login(account_manager)
    return client


def test_the_account_manager_group_may_view_add_and_change_keys(db):
    codenames = set(
        Group.objects.get(name=OperatorRole.ACCOUNT_MANAGER).permissions.values_list(
            "codename", flat=True
        )
    )

    assert {"view_apikey", "add_apikey", "change_apikey"} <= codenames
    assert "delete_apikey" not in codenames


def test_the_list_shows_client_name_and_prefix_but_no_hash(manager_client, tenant, write_key):
    api_key, _raw = write_key

    response = manager_client.get(CHANGELIST)

    assert response.status_code == 200
    assert api_key in response.context["cl"].result_list
    assert tenant.name in response.text
    assert f"mk_{api_key.prefix}_" in response.text
    assert api_key.key_hash not in response.text


def test_keys_are_found_by_client_slug(manager_client, tenant, other_tenant, write_key):
    create_api_key(tenant=other_tenant, name="Other ERP", scope="read")

    response = manager_client.get(CHANGELIST, {"q": tenant.slug})

    assert list(response.context["cl"].result_list) == [write_key[0]]


def test_adding_a_key_shows_the_raw_key_once(manager_client, account_manager, tenant):
    form = manager_client.get(ADD)
    response = manager_client.post(
        ADD, {"tenant": tenant.pk, "name": "enova365", "scope": "write"}, follow=True
    )

    assert form.status_code == response.status_code == 200
    assert list(form.context["adminform"].form.fields) == ["tenant", "name", "scope"]
    messages = " ".join(str(message) for message in response.context["messages"])
    raw_key = re.search(r"mk_[0-9a-f]{8}_[\w-]+", messages).group(0)
    api_key = ApiKey.objects.get(tenant=tenant, name="enova365")
    assert api_key.key_hash == hash_key(raw_key)
    assert api_key.created_by == account_manager
    assert raw_key not in manager_client.get(CHANGELIST).text


def test_the_change_page_neither_shows_nor_edits_the_hash(manager_client, write_key):
    api_key, _raw = write_key
    url = reverse("admin:tenants_apikey_change", args=[api_key.pk])

    page = manager_client.get(url)
    manager_client.post(url, {"name": "Renamed", "scope": "read", "key_hash": "0" * 64})

    assert page.status_code == 200
    assert api_key.key_hash not in page.text
    assert "key_hash" not in page.context["adminform"].form.fields
    renamed = ApiKey.objects.get(pk=api_key.pk)
    assert (renamed.name, renamed.key_hash) == ("Renamed", api_key.key_hash)


def test_revoke_selected_keys(manager_client, write_key, read_key):
    response = manager_client.post(
        CHANGELIST,
        {"action": "revoke_selected", "_selected_action": [write_key[0].pk, read_key[0].pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert not ApiKey.objects.filter(revoked_at__isnull=True).exists()


def test_keys_cannot_be_deleted_only_revoked(manager_client, write_key):
    url = reverse("admin:tenants_apikey_delete", args=[write_key[0].pk])

    assert manager_client.get(url).status_code == 403
    assert ApiKey.objects.filter(pk=write_key[0].pk).exists()
