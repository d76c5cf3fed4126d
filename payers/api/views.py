"""`/api/v1/payers`: list, retrieve (by id or external id), create, PATCH, bulk upsert.

Thin: parse with a serializer, call `payers.bulk.upsert_payers` (single create and PATCH use it too,
so one set of rules applies everywhere) or a read, render. Nothing is deleted through the API.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from payers.api.common import (
    BULK_REFUSED,
    ID_PARAMETER,
    WRITE_NOTE,
    BulkOptionsSerializer,
    BulkReportSerializer,
    ExternalIdLookupMixin,
    LedgerCursorPagination,
    bulk_examples,
    ordering_parameter,
    run_bulk,
    upsert_one,
    validated,
)
from payers.api.serializers import (
    PAYER_EXAMPLE,
    PayerBulkRequestSerializer,
    PayerCreateSerializer,
    PayerFilterSerializer,
    PayerPatchSerializer,
    PayerSerializer,
    PayerWriteSerializer,
    payers_matching,
)
from payers.bulk import CREATE, UPDATE, upsert_payers
from payers.models import Payer, PayerContact
from tenants.api_auth import tenant_of


@extend_schema_view(
    list=extend_schema(
        summary="List payers",
        parameters=[PayerFilterSerializer, ordering_parameter(*LedgerCursorPagination.ORDERINGS)],
    ),
    retrieve=extend_schema(summary="Retrieve a payer", parameters=[ID_PARAMETER]),
    by_external_id=extend_schema(operation_id="v1_payers_by_external_id"),
    by_external_id_query=extend_schema(operation_id="v1_payers_by_external_id_query"),
    create=extend_schema(
        summary="Create a payer",
        request=PayerCreateSerializer,
        responses={201: PayerSerializer},
        description="An existing `external_id` is refused; use PATCH or the bulk upsert.",
    ),
    partial_update=extend_schema(
        parameters=[ID_PARAMETER],
        summary="Change a payer's descriptive and contact data",
        request=PayerPatchSerializer,
        responses={200: PayerSerializer},
        description=WRITE_NOTE,
    ),
)
class PayerViewSet(
    ExternalIdLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Payers of the key's client. Nothing is deleted through the API."""

    serializer_class = PayerSerializer
    pagination_class = LedgerCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    orderings = tuple(LedgerCursorPagination.ORDERINGS)

    def get_queryset(self) -> QuerySet[Payer]:
        if getattr(self, "swagger_fake_view", False):
            return Payer.objects.none()
        tenant = tenant_of(self.request)
        contacts = PayerContact.objects.for_tenant(tenant)
        return Payer.objects.for_tenant(tenant).prefetch_related(Prefetch("contacts", contacts))

    def list(self, request: Request) -> Response:
        filters = PayerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            payers_matching(self.get_queryset(), **filters.validated_data)
        )
        return self.get_paginated_response(PayerSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        data = validated(PayerCreateSerializer, request.data)
        return self._upserted(data, CREATE, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        payer = self.get_object()
        data = validated(PayerPatchSerializer, request.data)
        return self._upserted(data | {"external_id": payer.external_id}, UPDATE, status.HTTP_200_OK)

    @extend_schema(
        summary="Create or update up to 5,000 payers",
        request=PayerBulkRequestSerializer,
        parameters=[BulkOptionsSerializer],
        responses={200: BulkReportSerializer, 400: BULK_REFUSED},
        examples=bulk_examples(PAYER_EXAMPLE, "nip", "NIP 526-000-12-47 has a wrong check digit."),
        description="Keyed by `external_id`. Valid items are applied even when others fail, "
        "unless `atomic=true`. Unchanged items are not written (`updated_at` stays). " + WRITE_NOTE,
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        return run_bulk(request, item_serializer=PayerWriteSerializer(), upsert=upsert_payers)

    def _upserted(self, data: dict[str, Any], mode: str, success: int) -> Response:
        outcome = upsert_one(upsert_payers, tenant=tenant_of(self.request), item=data, mode=mode)
        if isinstance(outcome, Response):
            return outcome
        return Response(PayerSerializer(self.get_queryset().get(pk=outcome)).data, status=success)
