"""`GET /api/v1/documents` and `GET /api/v1/documents/<id>/pdf`: letters for the ERP."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from dunning.documents.selectors import documents_of
from dunning.models import Document, DocumentKind
from payers.api.common import LedgerCursorPagination
from payers.models import Payer
from tenants.api_auth import tenant_of


class DocumentQuery(serializers.Serializer):
    payer_external_id = serializers.CharField(required=False, max_length=100)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class DocumentSerializer(serializers.ModelSerializer):
    payer_external_id = serializers.CharField(source="payer.external_id")
    date = serializers.DateField(source="document_date")
    # A plain string: the same pl/en choice set as the payer's `preferred_language`, which would
    # otherwise get a second enum name in the schema.
    language = serializers.CharField(help_text="pl or en: the payer's preferred language.")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "payer_external_id",
            "kind",
            "date",
            "language",
            "invoice_ids",
            "total_amount",
            "currency",
            "sha256",
            "size",
            "pages",
            "created_at",
            "pdf_url",
        ]

    def get_pdf_url(self, document: Document) -> str:
        url = reverse("api-document-pdf", args=[document.pk])
        return self.context["request"].build_absolute_uri(url)


class NotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


class DocumentList(generics.ListAPIView):
    """In id order (`ordering=-id`: newest first); filter by payer (external id), kind, date."""

    serializer_class = DocumentSerializer
    pagination_class = LedgerCursorPagination

    @extend_schema(
        tags=["documents"],
        summary="The client's payment demands and interest notes",
        parameters=[DocumentQuery],
        responses={200: DocumentSerializer(many=True), 404: NotFoundSerializer},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Document]:
        query = DocumentQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        tenant = tenant_of(self.request)
        documents = documents_of(tenant=tenant)
        filters = query.validated_data
        if "payer_external_id" in filters:
            external_id = filters["payer_external_id"]
            payer = Payer.objects.for_tenant(tenant).filter(external_id=external_id).first()
            if payer is None:
                raise NotFound(_("No payer with external_id %(id)r.") % {"id": external_id})
            documents = documents.filter(payer=payer)
        if "kind" in filters:
            documents = documents.filter(kind=filters["kind"])
        if "date_from" in filters:
            documents = documents.filter(document_date__gte=filters["date_from"])
        if "date_to" in filters:
            documents = documents.filter(document_date__lte=filters["date_to"])
        return documents


@extend_schema(
    tags=["documents"],
    summary="A document's PDF",
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        (404, "application/json"): OpenApiResponse(
            NotFoundSerializer, description="No such document of this client."
        ),
    },
    parameters=[OpenApiParameter("document_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
)
@api_view(["GET"])
def document_pdf(request: Request, document_id: str) -> FileResponse:
    documents = documents_of(tenant=tenant_of(request))
    document = documents.filter(pk=int(document_id)).first() if document_id.isdigit() else None
    if document is None:
        raise NotFound(_("No document %(id)s of this client.") % {"id": document_id})
    return pdf_response(document)


def pdf_response(document: Document) -> FileResponse:
    try:
        stream = document.file.open("rb")
    except FileNotFoundError as error:
        # The row outlived its file (storage restored from an older backup): say so, not 500.
        raise Http404(_("The file of document %(id)s is missing.") % {"id": document.pk}) from error
    response = FileResponse(
        stream,
        content_type="application/pdf",
        as_attachment=True,
        filename=document.filename,
    )
    response["X-Content-SHA256"] = document.sha256
    return response
