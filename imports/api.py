"""`POST /api/v1/imports`: an ERP hands over a file; `GET /api/v1/imports/{id}`: how it went."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from imports.forms import MAX_UPLOAD_BYTES
from imports.models import ImportBatch, ImportRowError
from imports.selectors import batches_of, row_errors_of, rows_processed
from imports.services import create_batch
from payers.api.common import LedgerCursorPagination
from tenants.api_auth import tenant_of


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
