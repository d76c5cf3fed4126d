"""`/api/v1/webhooks`: the client's ERP manages its own endpoints, reads their delivery logs and
sends itself a test event. Writes need a write key; the signing secret is returned only by create
and rotate-secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from tenants.api_auth import tenant_of
from webhooks import services
from webhooks.events import EVENT_TYPES, subscribable_choices
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.selectors import deliveries_of, endpoints_of

TAG = "webhooks"
PAYLOADS = """
Each event is POSTed to the endpoint's URL as JSON `{"type": "<event type>", "timestamp":
"<when it happened, ISO 8601 UTC>", "data": {…}}` with the headers `webhook-id` (the same on
every retry of one event: use it to drop duplicates), `webhook-timestamp` (Unix seconds of this
attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.
{body}` keyed with the base64-decoded part of your `whsec_…` secret; space-separated when a
rotated secret is still valid), as in the Standard Webhooks specification. Answer 2xx within
10 seconds; anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then
given up. An endpoint failing for 5 days is disabled. Money amounts are strings (`"1230.00"`).

`data` of `import.finished`: `import_id`, `status` (`done`, `rejected`, `failed`), `format`,
`channel`, `file_name`, `sha256`, `snapshot`, `rows_total`, `created`, `updated`, `unchanged`,
`rejected`, `summary`, `finished_at`. `data` of `payment.matched`: `payment_id`,
`payment_external_id`, `payer_id`, `payer_external_id`, `amount`, `currency`, `received_on`,
`reference`, `bank_entry_id`, `bank_reference`, `match_reason`, `allocations` (a list of
`invoice_id`, `invoice_external_id`, `number`, `amount`, `outstanding_after`, `status`),
`unallocated`. `data` of `webhook.test`:
`endpoint_id`, `message`.
"""


class StrictSerializer(serializers.Serializer):
    """Unknown keys are errors, not silently dropped: a typo such as `event_type` must not pass."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        unknown = {}
        if isinstance(data, Mapping):
            message = _("Unknown field; the accepted ones are in the API schema.")
            unknown = {key: [message] for key in data if key not in self.fields}
        try:
            value = super().to_internal_value(data)
        except ValidationError as error:
            if isinstance(error.detail, Mapping):
                raise ValidationError({**unknown, **error.detail}) from error
            raise
        if unknown:
            raise ValidationError(unknown)
        return value


def _event_types_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=subscribable_choices()),
        max_length=len(EVENT_TYPES),
        help_text="The event types sent to this URL; an empty list means all of them, including "
        "types added later.",
        **kwargs,
    )


class WebhookEndpointInputSerializer(StrictSerializer):
    url = serializers.CharField(
        max_length=500,
        help_text="Where we POST the events: an https:// URL reachable from the internet.",
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="A note for yourself."
    )
    event_types = _event_types_field(required=False)


class WebhookEndpointUpdateSerializer(WebhookEndpointInputSerializer):
    is_active = serializers.BooleanField(
        required=False,
        help_text="`false` stops sending (waiting events are given up); `true` switches a "
        "disabled endpoint on again.",
    )


class WebhookEndpointSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text="Our id of the endpoint.")
    url = serializers.CharField(read_only=True, help_text="Where we POST the events.")
    description = serializers.CharField(read_only=True, help_text="A note for yourself.")
    event_types = _event_types_field(read_only=True)
    is_active = serializers.BooleanField(
        read_only=True, help_text="Events are sent only when true."
    )
    disabled_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it was switched off; null if active."
    )
    disabled_reason = serializers.CharField(
        read_only=True, help_text="Why it was switched off (by you, or after days of failures)."
    )
    failing_since = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Start of the current run of failed attempts; null when the last one succeeded.",
    )
    created_at = serializers.DateTimeField(read_only=True, help_text="When it was added.")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "created_at",
        ]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (`whsec_…`). Returned only now: store it in your ERP.",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(
        help_text="The new signing secret (`whsec_…`); the previous one also signs for 24 hours."
    )


class WebhookEventSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="event_type", help_text="The event type.")
    msg_id = serializers.CharField(help_text="The `webhook-id` header of every attempt.")
    data = serializers.JSONField(help_text="The `data` of the body sent.")
    created_at = serializers.DateTimeField(help_text="When it happened (the body's timestamp).")

    class Meta:
        model = WebhookEvent
        fields = ["type", "msg_id", "data", "created_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(help_text="Our id of the delivery.")
    event = WebhookEventSerializer(help_text="What was sent.")
    state = serializers.ChoiceField(
        choices=WebhookDelivery.State.choices,
        help_text="`pending` (being tried), `delivered` (answered 2xx), `failed` (given up).",
    )
    attempts = serializers.IntegerField(help_text="Attempts made so far (at most 8 by schedule).")
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it is tried next; null once delivered or failed."
    )
    last_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was last tried; null before the first attempt."
    )
    last_status = serializers.IntegerField(
        allow_null=True, help_text="Your server's HTTP status at the last attempt; null if none."
    )
    response_excerpt = serializers.CharField(
        help_text="The first 1000 characters of your server's last answer."
    )
    duration_ms = serializers.IntegerField(
        allow_null=True, help_text="How long the last attempt took, in milliseconds."
    )
    error = serializers.CharField(help_text="What went wrong at the last attempt; empty if fine.")
    created_at = serializers.DateTimeField(help_text="When the delivery was queued.")
    delivered_at = serializers.DateTimeField(
        allow_null=True, help_text="When your server accepted it; null until then."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "state",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status",
            "response_excerpt",
            "duration_ms",
            "error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class WebhookEventTypeSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The name to subscribe to.")
    description = serializers.CharField(help_text="When it is sent.")


class NewestFirstPagination(CursorPagination):
    """Cursor pages, newest first; a cursor not of this list is a 400, never a 500."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request: Request) -> Any:
        invalid = ValidationError(
            {"cursor": [_("Not a cursor of this list; start again without one.")]}
        )
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise invalid from error
        if cursor is not None and cursor.position is not None:
            try:
                int(cursor.position)
            except ValueError as error:
                raise invalid from error
        return cursor


def _refused(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The endpoint's id.")
REFUSED = OpenApiResponse(description="Invalid input: messages by field.")


@extend_schema_view(
    list=extend_schema(summary="List endpoints", description="Newest first." + PAYLOADS),
    retrieve=extend_schema(summary="Retrieve an endpoint", parameters=[ID_PARAMETER]),
    destroy=extend_schema(
        summary="Delete an endpoint",
        description="Nothing more is sent to it; its delivery log is deleted too.",
        parameters=[ID_PARAMETER],
    ),
)
@extend_schema(tags=[TAG])
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WebhookEndpointSerializer
    pagination_class = NewestFirstPagination
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return endpoints_of(tenant=tenant_of(self.request))

    @extend_schema(
        summary="Add an endpoint",
        description="Returns the endpoint with its signing secret, the only time it is shown."
        + PAYLOADS,
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, 400: REFUSED},
    )
    def create(self, request: Request) -> Response:
        payload = WebhookEndpointInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            endpoint, secret = services.create_endpoint(
                tenant=tenant_of(request), **payload.validated_data
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        endpoint.secret = secret
        response = Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=201)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Change an endpoint",
        description="Only the fields sent change.",
        parameters=[ID_PARAMETER],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, 400: REFUSED},
    )
    def partial_update(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object()
        payload = WebhookEndpointUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        try:
            services.update_endpoint(endpoint=endpoint, **payload.validated_data)
        except DjangoValidationError as error:
            raise _refused(error) from error
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        services.delete_endpoint(endpoint=instance)

    @extend_schema(
        summary="Delivery log of an endpoint",
        description="Newest first: what was sent, how many attempts, what your server answered.",
        parameters=[ID_PARAMETER],
        responses=WebhookDeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object()
        paginator = NewestFirstPagination()
        page = paginator.paginate_queryset(
            deliveries_of(tenant=tenant_of(request), endpoint=endpoint), request, view=self
        )
        return paginator.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a test event",
        description="A `webhook.test` event to this endpoint only; follow it in the delivery log.",
        parameters=[ID_PARAMETER],
        request=None,
        responses={202: WebhookDeliverySerializer, 400: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object()
        try:
            delivery = services.send_test_event(endpoint=endpoint)
        except DjangoValidationError as error:
            raise _refused(error) from error
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Rotate the signing secret",
        description="A new secret, returned only now; for 24 hours both sign every request.",
        parameters=[ID_PARAMETER],
        request=None,
        responses={200: WebhookSecretSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: int) -> Response:
        endpoint = self.get_object()
        response = Response({"secret": services.rotate_secret(endpoint=endpoint)})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Event types",
        description="Every event type you can subscribe to, with when it is sent.",
        responses=WebhookEventTypeSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="event-types", pagination_class=None)
    def event_types(self, request: Request) -> Response:
        rows = [{"type": name, "description": str(text)} for name, text in EVENT_TYPES.items()]
        return Response(WebhookEventTypeSerializer(rows, many=True).data)

    def get_object(self) -> WebhookEndpoint:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
