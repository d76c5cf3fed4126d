"""API keys of `tenant` and a way to send them, for the API platform tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from tenants.models import ApiKey, Membership
from tenants.services import create_api_key
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def fresh_throttle_history():
    """Throttle counts live in the cache; each test starts with a full budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def write_key(tenant) -> tuple[ApiKey, str]:
    return create_api_key(tenant=tenant, name="ERP Comarch nightly", scope=ApiKey.Scope.WRITE)


@pytest.fixture
def read_key(tenant) -> tuple[ApiKey, str]:
    return create_api_key(tenant=tenant, name="BI dashboard", scope=ApiKey.Scope.READ)


@pytest.fixture
def write_auth(write_key) -> dict[str, str]:
    """Headers of a request sent with the write key."""
    return {"Authorization": f"Bearer {write_key[1]}"}


@pytest.fixture
def read_auth(read_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {read_key[1]}"}


@pytest.fixture
def owner_client(tenant) -> Client:
    """A browser session of an owner of `tenant`."""
    client = Client()
    client.force_login(MembershipFactory(tenant=tenant, role=Membership.Role.OWNER).user)
    return client


@pytest.fixture
def other_owner_client(other_tenant) -> Client:
    """A browser session of an owner of `other_tenant` (tenant B in cross-tenant tests)."""
    client = Client()
    client.force_login(MembershipFactory(tenant=other_tenant, role=Membership.Role.OWNER).user)
    return client
