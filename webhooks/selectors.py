"""Reads of the webhooks app: a client's endpoints and delivery log, and the beat's due list."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from tenants.models import Tenant
from webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoints_of(*, tenant: Tenant) -> QuerySet[WebhookEndpoint]:
    """The client's endpoints, newest first."""
    return WebhookEndpoint.objects.for_tenant(tenant).order_by("-id")


def deliveries_of(*, tenant: Tenant, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first, with the events."""
    return (
        WebhookDelivery.objects.for_tenant(tenant)
        .filter(endpoint=endpoint)
        .select_related("event")
        .order_by("-id")
    )


def has_pending(*, tenant: Tenant, endpoint: WebhookEndpoint) -> bool:
    return (
        deliveries_of(tenant=tenant, endpoint=endpoint)
        .filter(state=WebhookDelivery.State.PENDING)
        .exists()
    )


def due_delivery_ids(*, now: datetime.datetime, limit: int) -> list[int]:
    """Ids of deliveries whose next attempt is due, oldest first, across all clients.

    The one cross-tenant read: the beat's sweep, which only claims rows by id (services._claim).
    """
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
