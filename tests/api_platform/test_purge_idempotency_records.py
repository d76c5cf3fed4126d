"""Idempotency records past their 24 hours are deleted daily by beat."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from tenants.idempotency import claim_idempotency_key
from tenants.models import IdempotencyRecord
from tenants.tasks import purge_idempotency_records


def test_records_older_than_a_day_are_purged_and_fresh_ones_kept(write_key):
    for key in ("old", "fresh"):
        claim_idempotency_key(api_key=write_key[0], key=key, fingerprint="f" * 64)
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )

    purged = purge_idempotency_records.apply().get()

    assert purged == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_beat_runs_the_purge_daily():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert schedule["tenants.tasks.purge_idempotency_records"] == 24 * 3600
