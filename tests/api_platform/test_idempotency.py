"""A POST retried with the same Idempotency-Key gets its first response instead of running twice."""

from __future__ import annotations

import datetime
import json

import pytest
from django.http import HttpResponse
from django.utils import timezone

from tenants.idempotency import (
    REPLAYED_HEADER,
    claim_idempotency_key,
    record_response,
    request_fingerprint,
)
from tenants.models import ApiKey, IdempotencyRecord
from tenants.services import create_api_key

BODY = json.dumps({"invoice": "FV/1/2026"})


@pytest.fixture
def post_ping(client, write_auth):
    """POST /api/v1/ping with the write key and the given Idempotency-Key and body."""

    def post(key: str | None, body: str = BODY, auth: dict[str, str] = write_auth):
        headers = dict(auth) if key is None else {**auth, "Idempotency-Key": key}
        return client.post(
            "/api/v1/ping", data=body, content_type="application/json", headers=headers
        )

    return post


def test_a_retry_replays_the_first_response(post_ping):
    first = post_ping("order-42")

    retry = post_ping("order-42")

    assert first.status_code == retry.status_code == 200
    assert retry.content == first.content
    assert retry[REPLAYED_HEADER] == "true"
    assert REPLAYED_HEADER not in first
    assert retry["Content-Type"] == first["Content-Type"]


def test_the_same_key_with_another_body_is_refused_with_422(post_ping):
    post_ping("order-42")

    response = post_ping("order-42", body=json.dumps({"invoice": "FV/2/2026"}))

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert "another request" in response.json()["detail"]


def test_without_a_key_every_post_runs(post_ping):
    first, second = post_ping(None), post_ping(None)

    assert first.json()["id"] != second.json()["id"]
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("bad_key", ["", "x" * 256, "zamówienie-1", "tab\there"])
def test_a_malformed_key_is_refused_with_400(post_ping, bad_key):
    response = post_ping(bad_key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not IdempotencyRecord.objects.exists()


def test_the_longest_allowed_key_works(post_ping):
    assert post_ping("k" * 255).status_code == 200


def test_another_api_key_does_not_see_the_first_keys_record(tenant, post_ping):
    _other, other_raw = create_api_key(tenant=tenant, name="Second ERP", scope="write")
    first = post_ping("order-42")

    other = post_ping("order-42", auth={"Authorization": f"Bearer {other_raw}"})

    assert other.status_code == 200
    assert other.json()["id"] != first.json()["id"]
    assert REPLAYED_HEADER not in other


def test_a_retry_while_the_first_request_runs_gets_409(write_key, post_ping):
    fingerprint = request_fingerprint(method="POST", path="/api/v1/ping", body=BODY.encode())
    claim_idempotency_key(api_key=write_key[0], key="order-42", fingerprint=fingerprint)

    response = post_ping("order-42")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"


def test_a_claim_abandoned_by_a_crashed_process_is_taken_over(write_key, post_ping):
    fingerprint = request_fingerprint(method="POST", path="/api/v1/ping", body=BODY.encode())
    claim_idempotency_key(api_key=write_key[0], key="order-42", fingerprint=fingerprint)
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))

    response = post_ping("order-42")

    assert response.status_code == 200
    assert REPLAYED_HEADER not in response


def test_after_24_hours_the_key_runs_the_request_again(post_ping):
    first = post_ping("order-42")
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    later = post_ping("order-42", body=json.dumps({"invoice": "FV/9/2026"}))

    assert later.status_code == 200
    assert later.json()["id"] != first.json()["id"]


def test_a_refused_request_is_not_replayed(read_key, read_auth, post_ping):
    post_ping("order-42", auth=read_auth)
    ApiKey.objects.filter(pk=read_key[0].pk).update(scope=ApiKey.Scope.WRITE)

    response = post_ping("order-42", auth=read_auth)

    assert response.status_code == 200


def test_a_server_error_releases_the_key_so_the_retry_runs(write_key):
    claim = claim_idempotency_key(api_key=write_key[0], key="order-42", fingerprint="f" * 64)

    record_response(record=claim.record, response=HttpResponse(status=503))

    assert not IdempotencyRecord.objects.exists()


def test_get_requests_are_not_recorded(client, read_auth):
    client.get("/api/v1/me", headers={**read_auth, "Idempotency-Key": "order-42"})

    assert not IdempotencyRecord.objects.exists()


def test_an_invalid_api_key_gets_401_not_an_idempotency_answer(client, db):
    response = client.post(
        "/api/v1/ping", headers={"Authorization": "Bearer mk_0_nope", "Idempotency-Key": ""}
    )

    assert response.status_code == 401
