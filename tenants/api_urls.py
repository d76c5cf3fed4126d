"""Routes of the connectivity endpoints under /api/v1/."""

from django.urls import path

from tenants import api_views

urlpatterns = [
    path("me", api_views.me, name="api-me"),
    path("ping", api_views.ping, name="api-ping"),
]
