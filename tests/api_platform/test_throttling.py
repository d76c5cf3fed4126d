"""Each API key has its own request budget; over it the API answers 429 with Retry-After."""

from __future__ import annotations

import pytest

from tenants.models import ApiKey
from tenants.services import create_api_key


@pytest.fixture(autouse=True)
def three_requests_a_minute(settings):
    # A new REST_FRAMEWORK makes DRF reload its settings; the throttle reads rates per request.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"},
    }


def test_a_key_over_its_rate_gets_429_with_retry_after(client, read_auth):
    statuses = [client.get("/api/v1/me", headers=read_auth).status_code for _ in range(3)]

    response = client.get("/api/v1/me", headers=read_auth)

    assert statuses == [200, 200, 200]
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_another_key_of_the_same_client_keeps_its_own_budget(client, tenant, read_auth):
    for _ in range(4):
        client.get("/api/v1/me", headers=read_auth)
    _other, other_raw = create_api_key(tenant=tenant, name="Second ERP", scope=ApiKey.Scope.READ)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {other_raw}"})

    assert response.status_code == 200


def test_a_logged_in_user_is_throttled_by_their_login(finance_client):
    statuses = [finance_client.get("/api/v1/me").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
