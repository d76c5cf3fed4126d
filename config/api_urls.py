"""The REST API: /api/v1/ for client ERPs, the OpenAPI schema and its offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("v1/", include("invoices.api_urls")),
    path("v1/", include("imports.api_urls")),
    path("v1/", include("webhooks.api_urls")),
    path("v1/", include("tenants.api_urls")),
    path("v1/", include("stamps.api_urls")),
    path("v1/", include("dunning.documents.api_urls")),
]
