"""Background work on the ledger: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from invoices import services
from tenants.models import Tenant


@shared_task
def snapshot_aging(tenant_id: int) -> int:
    """Store today's aging of one client; returns the snapshot's id."""
    tenant = Tenant.objects.get(pk=tenant_id)
    return services.snapshot_aging(tenant=tenant).pk


@shared_task
def snapshot_aging_for_all_tenants() -> int:
    """Fan out one snapshot task per active client (beat runs it hourly; reruns are harmless)."""
    tenant_ids = list(
        Tenant.objects.filter(status=Tenant.Status.ACTIVE).values_list("id", flat=True)
    )
    for tenant_id in tenant_ids:
        snapshot_aging.delay(tenant_id)
    return len(tenant_ids)
