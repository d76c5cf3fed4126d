"""Webhook sending on the default queue: one task per attempt, and the beat's minute sweep."""

from __future__ import annotations

from celery import shared_task

from webhooks import delivery, services


@shared_task(queue="default", acks_late=True)
def deliver_webhook(delivery_id: int) -> str | None:
    """Attempt one delivery if it is due; a duplicate finds it claimed or done and does nothing."""
    attempted = delivery.attempt_delivery(delivery_id=delivery_id)
    return attempted.state if attempted else None


@shared_task(queue="default")
def deliver_due_webhooks() -> int:
    """Beat, every minute: retries whose time has come (they live in the database, not a worker)."""
    return delivery.deliver_due()


@shared_task(queue="default")
def purge_old_webhook_events() -> int:
    """Beat, daily: the delivery log keeps WEBHOOKS_RETENTION_DAYS of events."""
    return services.purge_old_events()
