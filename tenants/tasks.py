"""Background work on tenants: thin wrappers around services, scheduled by beat."""

from __future__ import annotations

from celery import shared_task

from tenants.idempotency import purge_expired_idempotency_records


@shared_task
def purge_idempotency_records() -> int:
    """Delete idempotency records past their 24-hour window (daily; reruns are harmless)."""
    return purge_expired_idempotency_records()
