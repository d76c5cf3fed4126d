"""`GET /api/v1/stamps/current`: the client's current electronic stamp for its ERP to print."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, content_negotiation_class
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from stamps.selectors import current_electronic_design, stamp_file
from tenants.api_auth import tenant_of


class CurrentStampQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=["png", "svg"], default="png")
    dpi = serializers.ChoiceField(choices=[300, 600], default=300)


class JsonForErrors(DefaultContentNegotiation):
    """`?format=` here names the image, not a DRF renderer: errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class StampNotFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(
    tags=["stamps"],
    summary="The current electronic prevention stamp",
    description=(
        "The newest electronic stamp design of the client that is not revoked, as a transparent "
        "PNG (300 or 600 dpi, tagged with its resolution, so it prints at its real size) or as "
        "SVG in millimetres. Its QR code leads to the public verification page. Any key may "
        "fetch it. 404 when the client has no electronic stamp."
    ),
    parameters=[
        OpenApiParameter(
            "format", OpenApiTypes.STR, enum=["png", "svg"], default="png", description="File type."
        ),
        OpenApiParameter(
            "dpi",
            OpenApiTypes.INT,
            enum=[300, 600],
            default=300,
            description="Resolution of the PNG (ignored for SVG).",
        ),
    ],
    responses={
        (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The stamp."),
        (200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.STR, description="The stamp."),
        (400, "application/json"): OpenApiResponse(
            OpenApiTypes.OBJECT, description="A bad `format` or `dpi`, per parameter."
        ),
        (404, "application/json"): OpenApiResponse(
            StampNotFoundSerializer, description="The client has no electronic stamp."
        ),
    },
)
@api_view(["GET"])
@content_negotiation_class(JsonForErrors)
def current_stamp(request: Request) -> HttpResponse:
    query = CurrentStampQuery(data=request.query_params)
    if not query.is_valid():
        return Response(query.errors, status=400)
    design = current_electronic_design(tenant=tenant_of(request))
    if design is None:
        return Response(
            {
                "detail": "This client has no electronic prevention stamp: create one on the "
                "Prevention stamps page (or ask your account manager)."
            },
            status=404,
        )
    fmt, dpi = query.validated_data["format"], query.validated_data["dpi"]
    file = stamp_file(design=design, kind="svg" if fmt == "svg" else f"png-{dpi}")
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="stamp-{design.code}{file.name_suffix}.{file.extension}"'
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
