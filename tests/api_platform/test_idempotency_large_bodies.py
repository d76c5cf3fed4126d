"""Uploads keep their idempotency up to 10 MB, and the view still reads the body it was sent."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.idempotency import MAX_STORED_BYTES, REPLAYED_HEADER, IdempotencyMiddleware
from tenants.models import IdempotencyRecord


def upload_view(request: HttpRequest) -> JsonResponse:
    """Stands in for an import endpoint: it reads the uploaded file after the middleware."""
    return JsonResponse({"received_bytes": request.FILES["file"].size}, status=201)


@api_view(["POST"])
def echo_view(request: Request) -> Response:
    """Stands in for a JSON endpoint: DRF parses the body after the middleware read it."""
    return Response({"items": len(request.data["items"])}, status=201)


@pytest.fixture
def send(write_auth):
    factory = RequestFactory()

    def send(view=upload_view, **kwargs):
        middleware = IdempotencyMiddleware(view)
        request = factory.post(
            "/api/v1/imports", headers={**write_auth, "Idempotency-Key": "file-1"}, **kwargs
        )
        return middleware(request)

    return send


def test_a_file_above_djangos_in_memory_limit_is_read_by_the_view_and_replayed(send, settings):
    content = b"numer;kwota\n" + b"FV/1/2026;100,00\n" * 200_000  # 3.4 MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(content) < MAX_STORED_BYTES

    first = send(data={"file": SimpleUploadedFile("feed.csv", content)})
    retry = send(data={"file": SimpleUploadedFile("feed.csv", content)})

    assert first.status_code == 201
    assert json.loads(first.content) == {"received_bytes": len(content)}
    assert retry[REPLAYED_HEADER] == "true"
    assert retry.content == first.content


def test_a_body_above_10_mb_passes_through_unrecorded(send):
    content = b"x" * MAX_STORED_BYTES

    response = send(data={"file": SimpleUploadedFile("big.csv", content)})

    assert json.loads(response.content) == {"received_bytes": len(content)}
    assert not IdempotencyRecord.objects.exists()


def test_a_json_body_is_still_parsed_by_the_api_view(send):
    body = json.dumps({"items": [{"external_id": f"INV-{n}"} for n in range(1000)]})

    def rendered_echo(request: HttpRequest) -> Response:
        return echo_view(request).render()  # as Django's handler does before the middleware

    first = send(view=rendered_echo, data=body, content_type="application/json")
    retry = send(view=rendered_echo, data=body, content_type="application/json")

    assert (first.status_code, json.loads(first.content)) == (201, {"items": 1000})
    assert retry[REPLAYED_HEADER] == "true"
