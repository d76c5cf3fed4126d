"""Fixtures of the REST API tests: clients holding API keys of tenant A (`tenant`) and B."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from tenants.models import ApiKey, Tenant
from tenants.services import create_api_key

MakeClient = Callable[..., APIClient]


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(db) -> MakeClient:
    """An API client with a fresh key of `tenant` and `scope`, sent as `Authorization: Bearer`."""

    def make(tenant: Tenant, scope: str = ApiKey.Scope.WRITE) -> APIClient:
        _key, raw_key = create_api_key(tenant=tenant, name="ERP", scope=scope)
        return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw_key}")

    return make


@pytest.fixture
def api(tenant, client_for) -> APIClient:
    """Tenant A's ERP with a write key."""
    return client_for(tenant)


@pytest.fixture
def read_api(tenant, client_for) -> APIClient:
    """Tenant A's ERP with a read-only key."""
    return client_for(tenant, ApiKey.Scope.READ)


@pytest.fixture
def other_api(other_tenant, client_for) -> APIClient:
    """Tenant B's ERP with a write key."""
    return client_for(other_tenant)
