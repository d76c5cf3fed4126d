"""`/api/v1/invoices` and `/api/v1/payments`: thin viewsets over the ledger's services.

Invoices are written through `invoices.bulk.upsert_invoices` (single create and PATCH too, so one
set of rules applies everywhere), cancelled through `cancel_invoices`, never deleted. Payments
are booked through `record_payment`, which allocates them; they are never changed or deleted.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from invoices.api.queries import (
    api_invoices,
    api_payments,
    booked_payment,
    invoices_matching,
    payments_matching,
)
from invoices.api.serializers import (
    MOVED_ELSEWHERE,
    InvoiceBulkRequestSerializer,
    InvoiceCancelSerializer,
    InvoiceCreateSerializer,
    InvoiceFilterSerializer,
    InvoicePatchSerializer,
    InvoiceSerializer,
    InvoiceWriteSerializer,
    PaymentCreateSerializer,
    PaymentFilterSerializer,
    PaymentSerializer,
)
from invoices.bulk import upsert_invoices
from invoices.models import Invoice, Payment, Source
from invoices.services import announce_handover, cancel_invoices, record_payment
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
from payers.api.serializers import PAYER_EXAMPLE
from payers.bulk import CREATE, UPDATE
from tenants.api_auth import tenant_of

INVOICE_EXAMPLE = {
    "external_id": "FV/1/2026",
    "number": "FV/1/2026",
    "issue_date": "2026-10-01",
    "due_date": "2026-10-15",
    "gross_amount": "1230.00",
    "outstanding_amount": "1230.00",
    "payer": PAYER_EXAMPLE,
}


class LedgerViewSet(
    ExternalIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Read by id or external id, list in cursor pages; no PUT, no DELETE (405)."""

    pagination_class = LedgerCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def render_page(self, queryset: QuerySet) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        parameters=[InvoiceFilterSerializer, ordering_parameter(*LedgerCursorPagination.ORDERINGS)],
    ),
    retrieve=extend_schema(summary="Retrieve an invoice", parameters=[ID_PARAMETER]),
    by_external_id=extend_schema(operation_id="v1_invoices_by_external_id"),
    by_external_id_query=extend_schema(operation_id="v1_invoices_by_external_id_query"),
    create=extend_schema(
        summary="Hand over an invoice",
        request=InvoiceCreateSerializer,
        responses={201: InvoiceSerializer},
        description="Name the payer by `payer_external_id` or send it inline as `payer`. An "
        "existing `external_id` is refused; use PATCH or the bulk upsert. With `express` the "
        "invoice's express schedule starts today.",
    ),
    partial_update=extend_schema(
        parameters=[ID_PARAMETER],
        summary="Change an invoice's descriptive fields",
        request=InvoicePatchSerializer,
        responses={200: InvoiceSerializer},
        description=f"Number, dates, kind and contract fields. {MOVED_ELSEWHERE} {WRITE_NOTE}",
    ),
)
class InvoiceViewSet(LedgerViewSet):
    """Invoices of the key's client."""

    serializer_class = InvoiceSerializer
    orderings = tuple(LedgerCursorPagination.ORDERINGS)

    def get_queryset(self) -> QuerySet[Invoice]:
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        return api_invoices(tenant=tenant_of(self.request))

    def list(self, request: Request) -> Response:
        filters = validated(InvoiceFilterSerializer, request.query_params)
        return self.render_page(invoices_matching(self.get_queryset(), **filters))

    def create(self, request: Request) -> Response:
        data = validated(InvoiceCreateSerializer, request.data)
        response = self._upserted(data, CREATE, status.HTTP_201_CREATED)
        if response.status_code == status.HTTP_201_CREATED:
            announce_handover(invoice=self.get_queryset().get(pk=response.data["id"]))
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        data = validated(InvoicePatchSerializer, request.data)
        return self._upserted(
            data | {"external_id": invoice.external_id}, UPDATE, status.HTTP_200_OK
        )

    @extend_schema(
        summary="Create or update up to 5,000 invoices",
        request=InvoiceBulkRequestSerializer,
        parameters=[BulkOptionsSerializer],
        responses={200: BulkReportSerializer, 400: BULK_REFUSED},
        examples=bulk_examples(INVOICE_EXAMPLE, "due_date", "A date (YYYY-MM-DD) is expected."),
        description="Keyed by `external_id`; payers by `payer_external_id` or inline. Valid items "
        "are applied even when others fail, unless `atomic=true`. Unchanged items are not written "
        "(`updated_at` stays). The outstanding amount is your ERP's truth here and the status "
        f"follows it. {WRITE_NOTE}",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        # An ERP resends its whole ledger nightly: items it sent before as they are skip validation.
        upsert = partial(upsert_invoices, skip_unchanged=True)
        return run_bulk(request, item_serializer=InvoiceWriteSerializer(), upsert=upsert)

    @extend_schema(
        summary="Cancel an invoice (credit note)",
        parameters=[ID_PARAMETER],
        request=InvoiceCancelSerializer,
        responses={
            200: InvoiceSerializer,
            409: OpenApiResponse(description="The invoice is paid; nothing to cancel."),
        },
        description="Instead of DELETE. Allocated payments stay allocated. Cancelling a "
        "cancelled invoice changes nothing and returns it.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        reason = validated(InvoiceCancelSerializer, request.data)["reason"]
        cancel_invoices(tenant=tenant_of(request), invoice_ids=[invoice.id], reason=reason)
        invoice = self.get_queryset().get(pk=invoice.pk)
        if invoice.status != Invoice.Status.CANCELLED:
            detail = _(
                "Invoice %(number)s is %(status)s; only unsettled invoices can be cancelled."
            )
            return Response(
                {"detail": detail % {"number": invoice.number, "status": invoice.status}},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(InvoiceSerializer(invoice).data)

    def _upserted(self, data: dict[str, Any], mode: str, success: int) -> Response:
        outcome = upsert_one(upsert_invoices, tenant=tenant_of(self.request), item=data, mode=mode)
        if isinstance(outcome, Response):
            return outcome
        return Response(InvoiceSerializer(self.get_queryset().get(pk=outcome)).data, status=success)


@extend_schema_view(
    list=extend_schema(
        summary="List payments",
        parameters=[PaymentFilterSerializer, ordering_parameter("id", "-id")],
    ),
    retrieve=extend_schema(
        summary="Retrieve a payment with its allocations", parameters=[ID_PARAMETER]
    ),
    by_external_id=extend_schema(operation_id="v1_payments_by_external_id"),
    by_external_id_query=extend_schema(operation_id="v1_payments_by_external_id_query"),
    create=extend_schema(
        summary="Book a payment",
        request=PaymentCreateSerializer,
        responses={
            201: PaymentSerializer,
            200: OpenApiResponse(PaymentSerializer, description="Booked before under this id."),
            409: OpenApiResponse(description="This id was booked with other data."),
        },
        description="Settles the named invoice first, then the payer's other unsettled invoices "
        "in the currency, oldest due first; the response shows the allocations.",
    ),
)
class PaymentViewSet(LedgerViewSet):
    """Payments of the key's client; booked once, never changed or deleted through the API."""

    serializer_class = PaymentSerializer
    orderings = ("id", "-id")  # payments have no updated_at: they never change
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Payment]:
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return api_payments(tenant=tenant_of(self.request))

    def list(self, request: Request) -> Response:
        filters = validated(PaymentFilterSerializer, request.query_params)
        return self.render_page(payments_matching(self.get_queryset(), **filters))

    def create(self, request: Request) -> Response:
        tenant = tenant_of(request)
        serializer = PaymentCreateSerializer(data=request.data, context={"tenant": tenant})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        booked = booked_payment(tenant=tenant, external_id=data["external_id"])
        if booked is not None:
            return self._replayed(booked, data)
        try:
            payment = record_payment(tenant=tenant, source=Source.API, **data)
        except DjangoValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    def _replayed(self, booked: Payment, data: dict[str, Any]) -> Response:
        """An ERP retrying gets the booked payment; the same id with other data is a conflict."""
        same = (booked.payer_id, booked.amount, booked.currency, booked.paid_on) == (
            data["payer"].id,
            data["amount"],
            data["currency"],
            data["paid_on"],
        )
        if not same:
            return Response(
                {"detail": _("A payment with this external id was booked with other data.")},
                status=status.HTTP_409_CONFLICT,
            )
        payment = self.get_queryset().get(pk=booked.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_200_OK)
