"""What every ledger endpoint shares: cursor pages, lookup by external id, the bulk envelope.

It sits in `payers` only because payers are the lowest app with an API and `invoices.api` builds
on it (imports point down the layers); nothing here is about payers.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from payers.bulk import BulkReport, BulkWriteFailed, ItemErrors
from tenants.api_auth import tenant_of
from tenants.models import Tenant

MAX_BULK_ITEMS = 5000
WRITE_NOTE = "Fields left out keep their stored value; send an empty string to clear one."


class StrictSerializer(serializers.Serializer):
    """Input whose unknown keys are errors, never dropped: a PATCH of `status` or a typo such as
    `due_data` must not look accepted."""

    unknown_field_message = "Unknown field; the accepted ones are in the API schema."

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        unknown = {}
        if isinstance(data, Mapping):
            message = _(self.unknown_field_message)
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


class LedgerCursorPagination(CursorPagination):
    """Cursor pages (stable under inserts) ordered by `id` or `updated_at`; bad cursors are 400."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"
    default_ordering = "id"  # when the request names none
    ORDERINGS = {
        "id": ("id",),
        "-id": ("-id",),
        "updated_at": ("updated_at", "id"),
        "-updated_at": ("-updated_at", "-id"),
    }

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> tuple[str, ...]:
        allowed = getattr(view, "orderings", ("id", "-id"))
        chosen = request.query_params.get("ordering") or self.default_ordering
        if chosen not in allowed:
            raise ValidationError({"ordering": [_("Expected one of: %s.") % ", ".join(allowed)]})
        return self.ORDERINGS[chosen]

    def decode_cursor(self, request: Request) -> Any:
        invalid = ValidationError(
            {"cursor": [_("Not a cursor of this list; start again without one.")]}
        )
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise invalid from error
        if cursor is None or cursor.position is None:
            return cursor
        # The position goes into a WHERE clause as it is: parse it here, so a forged one is a
        # 400 rather than a database error (PostgreSQL refuses offsets a Python datetime allows).
        position_field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
        try:
            position = position_field.to_python(cursor.position)
            if isinstance(position, datetime.datetime):
                position = position.astimezone(datetime.UTC).isoformat()
        except (DjangoValidationError, OverflowError, ValueError) as error:
            raise invalid from error
        return cursor._replace(position=str(position))


ID_PARAMETER = OpenApiParameter(
    "id",
    int,
    OpenApiParameter.PATH,
    description="Our id of the row, as lists and bulk results show it.",
)


def ordering_parameter(*choices: str) -> OpenApiParameter:
    return OpenApiParameter(
        "ordering",
        str,
        enum=list(choices),
        description="Sort order of the pages (default `id`). Cursors belong to one ordering.",
    )


class ExternalIdQuerySerializer(serializers.Serializer):
    external_id = serializers.CharField(
        max_length=120, help_text="The id in your ERP, exactly as sent (it may contain `/`)."
    )


class ExternalIdLookupMixin:
    """`…/by-external-id/<id>`, and `…/by-external-id?external_id=<id>` for odd characters."""

    @extend_schema(
        parameters=[ExternalIdQuerySerializer],
        summary="Retrieve by external id (query parameter)",
        description="For ids with characters awkward in a path, such as `?` or `#`.",
    )
    @action(detail=False, methods=["get"], url_path="by-external-id")
    def by_external_id_query(self, request: Request) -> Response:
        lookup = ExternalIdQuerySerializer(data=request.query_params)
        lookup.is_valid(raise_exception=True)
        return self._render_by_external_id(lookup.validated_data["external_id"])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "external_id", str, OpenApiParameter.PATH, description="The id in your ERP."
            )
        ],
        summary="Retrieve by external id",
        description="The id may contain `/`: `…/by-external-id/FV/1/2026`.",
    )
    @action(detail=False, methods=["get"], url_path=r"by-external-id/(?P<external_id>.+?)")
    def by_external_id(self, request: Request, external_id: str) -> Response:
        lookup = ExternalIdQuerySerializer(data={"external_id": external_id})
        if not lookup.is_valid():  # e.g. a NUL byte, which PostgreSQL cannot compare
            raise NotFound()
        return self._render_by_external_id(lookup.validated_data["external_id"])

    def _render_by_external_id(self, external_id: str) -> Response:
        instance = get_object_or_404(self.get_queryset(), external_id=external_id)
        return Response(self.get_serializer(instance).data)


class BulkOptionsSerializer(serializers.Serializer):
    atomic = serializers.BooleanField(
        default=False,
        help_text="`true`: any item in error means nothing is applied (status 400).",
    )


class BulkEnvelopeSerializer(serializers.Serializer):
    """Only the envelope is checked as a whole; each item is validated on its own."""

    items = serializers.ListField(
        max_length=MAX_BULK_ITEMS,
        error_messages={
            "max_length": "At most {max_length} items per request; split the feed into parts."
        },
    )


class BulkSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Items that made a new row.")
    updated = serializers.IntegerField(help_text="Items that changed an existing row.")
    unchanged = serializers.IntegerField(help_text="Items equal to what is stored; not written.")
    error = serializers.IntegerField(help_text="Items refused; see their `errors`.")


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in `items`, from 0.")
    external_id = serializers.CharField(help_text="The item's external id as received.")
    result = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "error"], help_text="What happened."
    )
    id = serializers.IntegerField(allow_null=True, help_text="Our id of the row; null on error.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field (`payer.nip` for an inline payer's field); empty if fine.",
    )


class BulkReportSerializer(serializers.Serializer):
    applied = serializers.BooleanField(
        help_text="False when `atomic=true` refused the whole request; results then say what "
        "would have happened."
    )
    summary = BulkSummarySerializer(help_text="Counts of the results.")
    results = BulkItemResultSerializer(many=True, help_text="One entry per item, in order.")


BULK_REFUSED = OpenApiResponse(
    {
        "oneOf": [
            {"$ref": "#/components/schemas/BulkReport"},
            {
                "type": "object",
                "description": "Messages by field (`items`, `atomic`, `non_field_errors`), or a "
                "`detail` for a body that is not JSON.",
                "additionalProperties": {
                    "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
                },
            },
        ]
    },
    description="Nothing was applied: with `atomic=true` an item was in error (the report says "
    "which), or the request as a whole is malformed (field errors).",
)


def flat_errors(detail: Any, prefix: str = "") -> ItemErrors:
    """DRF's nested error detail as `{"payer.nip": [...], "phones.0": [...]}`."""
    if isinstance(detail, Mapping):
        flat: ItemErrors = {}
        for key, value in detail.items():
            flat.update(flat_errors(value, f"{prefix}{key}."))
        return flat
    if isinstance(detail, list) and all(isinstance(entry, str) for entry in detail):
        return {prefix.rstrip(".") or "non_field_errors": [str(entry) for entry in detail]}
    if isinstance(detail, list):
        return flat_errors(dict(enumerate(detail)), prefix)
    return {prefix.rstrip(".") or "non_field_errors": [str(detail)]}


def parse_items(
    item_serializer: serializers.Serializer, raw_items: list[Any]
) -> tuple[list[dict[str, Any]], dict[int, ItemErrors]]:
    """Each item through one serializer instance (as ListSerializer does), failures kept apart."""
    items: list[dict[str, Any]] = []
    rejected: dict[int, ItemErrors] = {}
    for index, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            rejected[index] = {"non_field_errors": [_("An object is expected.")]}
            items.append({})
            continue
        try:
            items.append(item_serializer.run_validation(raw))
        except ValidationError as error:
            rejected[index] = flat_errors(error.detail)
            external_id = raw.get("external_id")
            items.append({"external_id": external_id if isinstance(external_id, str) else ""})
    return items, rejected


def report_payload(report: BulkReport) -> dict[str, Any]:
    return {
        "applied": report.applied,
        "summary": report.summary,
        "results": [
            {
                "index": item.index,
                "external_id": item.external_id,
                "result": item.result,
                "id": item.id,
                "errors": item.errors,
            }
            for item in report.results
        ],
    }


Upsert = Callable[..., BulkReport]


def run_bulk(
    request: Request, *, item_serializer: serializers.Serializer, upsert: Upsert
) -> Response:
    """The bulk endpoints: envelope → per-item parsing → the upsert service → the report."""
    options = BulkOptionsSerializer(data=request.query_params)
    options.is_valid(raise_exception=True)
    envelope = BulkEnvelopeSerializer(data=request.data)
    envelope.is_valid(raise_exception=True)
    items, rejected = parse_items(item_serializer, envelope.validated_data["items"])
    try:
        report = upsert(
            tenant=tenant_of(request),
            items=items,
            atomic=options.validated_data["atomic"],
            rejected=rejected,
        )
    except BulkWriteFailed:
        return write_refused()
    code = status.HTTP_200_OK if report.applied else status.HTTP_400_BAD_REQUEST
    return Response(report_payload(report), status=code)


def write_refused() -> Response:
    return Response(
        {
            "detail": _(
                "The database refused the write (probably a concurrent change); "
                "nothing was applied. Retry the request."
            )
        },
        status=status.HTTP_409_CONFLICT,
    )


def upsert_one(
    upsert: Upsert, *, tenant: Tenant, item: Mapping[str, Any], mode: str
) -> int | Response:
    """Single create or PATCH through the bulk service: the row's id, or the error response."""
    try:
        report = upsert(tenant=tenant, items=[item], mode=mode)
    except BulkWriteFailed:
        return write_refused()
    outcome = report.results[0]
    if outcome.errors:
        return Response(outcome.errors, status=status.HTTP_400_BAD_REQUEST)
    return outcome.id


def bulk_examples(item: dict[str, Any], bad_field: str, bad_message: str) -> list[OpenApiExample]:
    """Request and response examples of a bulk endpoint, built from one valid item."""
    bad_item = item | {"external_id": f"{item['external_id']}-X", bad_field: "?"}
    ok = {
        "index": 0,
        "external_id": item["external_id"],
        "result": "created",
        "id": 101,
        "errors": {},
    }
    refused = {
        "index": 1,
        "external_id": bad_item["external_id"],
        "result": "error",
        "id": None,
        "errors": {bad_field: [bad_message]},
    }
    summary = {"created": 1, "updated": 0, "unchanged": 0, "error": 1}
    return [
        OpenApiExample("Two items", value={"items": [item, bad_item]}, request_only=True),
        OpenApiExample(
            "Partly applied",
            value={"applied": True, "summary": summary, "results": [ok, refused]},
            response_only=True,
            status_codes=["200"],
        ),
        OpenApiExample(
            "Refused (atomic=true)",
            value={"applied": False, "summary": summary, "results": [ok | {"id": None}, refused]},
            response_only=True,
            status_codes=["400"],
        ),
    ]


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """`data` parsed by `serializer_class`; a 400 with field errors otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
