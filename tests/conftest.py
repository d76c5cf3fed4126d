from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, MembershipFactory, TenantFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, import progress and the agent screen's rankings live in the cache (the
    rankings also in process memory): no test inherits another's."""
    from django.core.cache import cache

    from agent.services import forget_local_rankings

    cache.clear()
    forget_local_rankings()
    yield
    cache.clear()
    forget_local_rankings()


@pytest.fixture
def tenant(db):
    return TenantFactory()


@pytest.fixture
def other_tenant(db):
    return TenantFactory()


@pytest.fixture
def finance_user(tenant):
    return MembershipFactory(tenant=tenant).user


@pytest.fixture
def finance_client(finance_user) -> Client:
    """A browser session of a finance user of `tenant`."""
    client = Client()
    assert client.login(email=finance_user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def other_finance_client(other_tenant) -> Client:
    """A browser session of a finance user of `other_tenant` (tenant B in cross-tenant tests)."""
    user = MembershipFactory(tenant=other_tenant).user
    client = Client()
    assert client.login(email=user.email, password=DEFAULT_PASSWORD)
    return client
