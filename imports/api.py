"""`POST /api/v1/imports`: an ERP hands over a file; `GET /api/v1/imports/{id}`: how it went.

`GET /api/v1/bank-entries?state=unmatched`: bank credits waiting for review, with suggestions;
`POST /api/v1/bank-entries/{id}/confirm`: the ERP says which invoice or payer one belongs to.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from imports.banking import BankEntryStateError, confirm_bank_entry
from imports.forms import MAX_UPLOAD_BYTES
from imports.models import BankEntry, ImportBatch, ImportRowError
from imports.selectors import batches_of, row_errors_of, rows_processed
from imports.services import create_batch
from imports.suggestions import suggestions_for
from invoices.models import Invoice
from payers.api.common import (
    ID_PARAMETER,
    LedgerCursorPagination,
    StrictSerializer,
    ordering_parameter,
    validated,
)
from payers.models import Payer
from tenants.api_auth import tenant_of

MAX_ID = 2**63 - 1  # a larger id is a 400, not a database error


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The file: CSV, XLSX, JSON Lines, KSeF XML/ZIP, MT940, camt.053."
    )
    format = serializers.ChoiceField(
        choices=ImportBatch.Format.choices,
        required=False,
        help_text="Leave out to detect the format from the file.",
    )
    snapshot = serializers.BooleanField(
        default=False,
        help_text="A full snapshot: open invoices missing from it are marked settled.",
    )

    def validate_file(self, uploaded):
        if uploaded.size == 0:
            raise serializers.ValidationError("The file is empty.")
        if uploaded.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(f"The limit is {MAX_UPLOAD_BYTES // 2**20} MB.")
        return uploaded


class ImportRowErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRowError
        fields = ["line", "field", "message", "value"]


class ImportBatchSerializer(serializers.ModelSerializer):
    rows_processed = serializers.SerializerMethodField(help_text="Rows read so far.")
    first_errors = serializers.SerializerMethodField(help_text="Up to 50 rejected rows.")
    same_file_as = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="An earlier batch with the very same file; null if none.",
    )

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "format",
            "original_name",
            "size",
            "sha256",
            "channel",
            "snapshot",
            "status",
            "created_at",
            "started_at",
            "finished_at",
            "rows_total",
            "rows_processed",
            "created_count",
            "updated_count",
            "unchanged_count",
            "rejected_count",
            "summary",
            "same_file_as",
            "first_errors",
        ]
        read_only_fields = fields

    def get_rows_processed(self, batch: ImportBatch) -> int:
        return rows_processed(batch)

    def get_first_errors(self, batch: ImportBatch) -> list[dict]:
        errors = row_errors_of(tenant=batch.tenant, batch=batch)[:50]
        return ImportRowErrorSerializer(errors, many=True).data


class ImportBatchPagination(LedgerCursorPagination):
    """Newest batch first (`?ordering=id` for oldest first); a forged cursor is a 400."""

    default_ordering = "-id"


class ImportBatchViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_converter = "int"
    pagination_class = ImportBatchPagination

    def get_queryset(self):
        return batches_of(tenant=tenant_of(self.request))

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportBatchSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            batch = create_batch(
                tenant=tenant_of(request),
                uploaded=upload.validated_data["file"],
                original_name=upload.validated_data["file"].name,
                file_format=upload.validated_data.get("format"),
                snapshot=upload.validated_data["snapshot"],
                channel=ImportBatch.Channel.API,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


# --- Bank credits waiting for review: `GET /api/v1/bank-entries`, `POST …/{id}/confirm` ---


class BankEntryFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=BankEntry.State.choices,
        required=False,
        help_text="Only entries in this state; `unmatched` are those waiting for review.",
    )


class BankEntrySuggestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["invoice", "payer"],
        help_text="`invoice`: book to this invoice first; `payer`: to the payer, oldest first.",
    )
    score = serializers.IntegerField(help_text="Higher is likelier; suggestions come best first.")
    invoice_id = serializers.IntegerField(allow_null=True, help_text="Null for `payer`.")
    invoice_number = serializers.CharField(allow_null=True, help_text="Null for `payer`.")
    payer_id = serializers.IntegerField()
    payer_name = serializers.CharField()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why, in words, e.g. the title names FV/12/2026."
    )


class BankEntrySerializer(serializers.ModelSerializer):
    batch = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The import it came in.")
    payment = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The payment it became; null until matched."
    )
    match_reason = serializers.ChoiceField(
        choices=BankEntry.MatchReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="How a `matched` entry was matched; empty for the others.",
    )
    suggestions = serializers.SerializerMethodField(
        help_text="Up to 3 ranked suggestions of an `unmatched` entry; empty for the others."
    )

    class Meta:
        model = BankEntry
        fields = [
            "id",
            "batch",
            "external_id",
            "amount",
            "currency",
            "booked_on",
            "title",
            "counterparty_name",
            "counterparty_account",
            "counterparty_nip",
            "state",
            "match_reason",
            "payment",
            "matched_at",
            "ignored_at",
            "created_at",
            "suggestions",
        ]
        read_only_fields = fields

    @extend_schema_field(BankEntrySuggestionSerializer(many=True))
    def get_suggestions(self, entry: BankEntry) -> list[dict]:
        return [
            {
                "kind": suggestion.kind,
                "score": suggestion.score,
                "invoice_id": suggestion.invoice.pk if suggestion.invoice else None,
                "invoice_number": suggestion.invoice.number if suggestion.invoice else None,
                "payer_id": suggestion.payer.pk,
                "payer_name": suggestion.payer.name,
                "reasons": suggestion.reasons,
            }
            for suggestion in self.context.get("suggestions", {}).get(entry.pk, [])
        ]


class BankEntryConfirmSerializer(StrictSerializer):
    invoice_id = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The invoice it pays."
    )
    payer_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Or the payer it comes from: the invoice of exactly that amount, else the "
        "oldest first.",
    )

    def validate(self, data: dict) -> dict:
        if ("invoice_id" in data) == ("payer_id" in data):
            raise serializers.ValidationError("Send either `invoice_id` or `payer_id`.")
        return data


class BankEntryPagination(LedgerCursorPagination):
    """Newest entry first (`?ordering=id` for oldest first); suggestions make pages heavier."""

    page_size = 25
    max_page_size = 100
    default_ordering = "-id"


@extend_schema_view(
    list=extend_schema(
        summary="List bank credits (those waiting for review with suggestions)",
        parameters=[BankEntryFilterSerializer, ordering_parameter("id", "-id")],
    ),
    retrieve=extend_schema(summary="Retrieve a bank credit", parameters=[ID_PARAMETER]),
)
class BankEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Credits of the client's bank statements, each booked once; `unmatched` ones wait for the
    client to say whose they are."""

    serializer_class = BankEntrySerializer
    pagination_class = BankEntryPagination
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BankEntry.objects.none()
        return BankEntry.objects.for_tenant(tenant_of(self.request))

    def list(self, request: Request) -> Response:
        filters = validated(BankEntryFilterSerializer, request.query_params)
        queryset = self.get_queryset()
        if "state" in filters:
            queryset = queryset.filter(state=filters["state"])
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context() | {"suggestions": self._suggestions(page)}
        data = BankEntrySerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        context = self.get_serializer_context() | {"suggestions": self._suggestions([entry])}
        return Response(BankEntrySerializer(entry, context=context).data)

    @extend_schema(
        summary="Confirm whose a bank credit is",
        parameters=[ID_PARAMETER],
        request=BankEntryConfirmSerializer,
        responses={
            200: BankEntrySerializer,
            404: OpenApiResponse(description="No such entry, invoice or payer of yours."),
            409: OpenApiResponse(
                description="The entry is matched to something else already, or ignored."
            ),
        },
        description="Books the credit as a payment of the invoice (then the payer's oldest) or "
        "of the payer, and remembers the sender's account for that payer. Confirming the same "
        "target again changes nothing and returns the entry.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        data = validated(BankEntryConfirmSerializer, request.data)
        tenant = tenant_of(request)
        invoice = payer = None
        if "invoice_id" in data:
            invoice = get_object_or_404(Invoice.objects.for_tenant(tenant), pk=data["invoice_id"])
        else:
            payer = get_object_or_404(Payer.objects.for_tenant(tenant), pk=data["payer_id"])
        try:
            entry = confirm_bank_entry(
                tenant=tenant, entry=entry, invoice=invoice, payer=payer, via_api=True
            )
        except BankEntryStateError as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"non_field_errors": error.messages}) from error
        return Response(BankEntrySerializer(entry, context=self.get_serializer_context()).data)

    def _suggestions(self, entries: list[BankEntry]) -> dict:
        waiting = [entry for entry in entries if entry.state == BankEntry.State.UNMATCHED]
        return suggestions_for(tenant=tenant_of(self.request), entries=waiting)
