"""Beat's daily NBP fetch: a thin wrapper around the service."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from dunning import services

# NBP's dates are Warsaw dates, whatever the server's zone.
WARSAW = ZoneInfo("Europe/Warsaw")


@shared_task
def fetch_recent_nbp_rates(days: int = 10, currency: str = "EUR") -> int:
    """Fetch the last `days` days of table-A rates; re-running stores the same rows once."""
    today = timezone.localtime(timezone.now(), WARSAW).date()
    stored = services.fetch_nbp_rates(
        currency=currency, start=today - datetime.timedelta(days=days), end=today
    )
    return len(stored)


@shared_task(queue="messaging")
def dispatch_messages() -> dict[str, int]:
    """Beat's outbox run: send what is due (every few minutes; a run is bounded in time)."""
    from dunning.outbox import dispatch_due

    report = dispatch_due()
    return {
        "sent": report.sent,
        "reconciled": report.reconciled,
        "retried": report.retried,
        "failed": report.failed,
        "moved": report.moved,
        "canceled": report.canceled,
    }


@shared_task(queue="messaging")
def refresh_message_statuses() -> int:
    """Beat, hourly: ask the provider about sent messages whose status callback never came."""
    from dunning.outbox.statuses import refresh_statuses

    return refresh_statuses()


# The documents queue's tasks live in the documents sub-package; autodiscovery reads this module.
from dunning.documents import tasks as document_tasks  # noqa: E402, F401
