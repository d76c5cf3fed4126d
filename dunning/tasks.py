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
