"""Connectivity endpoints for ERP integrators: who am I, and a harmless POST to try retries on."""

from __future__ import annotations

import uuid

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.api_auth import tenant_of
from tenants.models import ApiKey

TAG = "connectivity"


class MeSerializer(serializers.Serializer):
    tenant = serializers.SlugField(help_text="The slug of the client account the request acts for.")
    key = serializers.CharField(
        allow_null=True,
        help_text="The prefix of the API key used (its first characters after `mk_`); "
        "null for a logged-in user.",
    )
    scope = serializers.ChoiceField(
        choices=ApiKey.Scope.choices,
        help_text="`read` keys may only GET; `write` keys (and logged-in users) may also write.",
    )


class PingSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Generated anew for every request that really ran.")
    received_at = serializers.DateTimeField(help_text="When the server handled the request (UTC).")


@extend_schema(
    tags=[TAG],
    summary="Who am I",
    description="The client account and API key a request is authenticated as. "
    "Use it to check that a newly configured key works.",
    responses=MeSerializer,
)
@api_view(["GET"])
def me(request: Request) -> Response:
    """Lets an integrator confirm which client and key their configuration reaches."""
    api_key = request.auth if isinstance(request.auth, ApiKey) else None
    data = {
        "tenant": tenant_of(request).slug,
        "key": api_key.prefix if api_key else None,
        "scope": api_key.scope if api_key else ApiKey.Scope.WRITE,
    }
    return Response(MeSerializer(data).data)


@extend_schema(
    tags=[TAG],
    summary="Ping (try a write and idempotent retries)",
    description=(
        "Changes nothing. Needs a write key. Each call returns a new `id`, except a retry with "
        "the same `Idempotency-Key` and the same body within 24 hours: that one returns the "
        "original response again, with the header `Idempotent-Replayed: true`. The same key "
        "with another body gives 422; a retry while the first is still running gives 409. "
        "Every POST endpoint of this API behaves this way."
    ),
    parameters=[
        OpenApiParameter(
            "Idempotency-Key",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="1–255 printable ASCII characters, e.g. a UUID; unique per request.",
        )
    ],
    request=None,
    responses={
        200: PingSerializer,
        403: OpenApiResponse(description="The key may only read."),
        409: OpenApiResponse(description="A request with this Idempotency-Key is still running."),
        422: OpenApiResponse(description="This Idempotency-Key was used with another request."),
    },
)
@api_view(["POST"])
def ping(request: Request) -> Response:
    """A write that writes nothing, so an ERP can test its key's scope and its retry logic."""
    return Response(
        PingSerializer({"id": uuid.uuid4(), "received_at": timezone.now()}).data, status=200
    )
