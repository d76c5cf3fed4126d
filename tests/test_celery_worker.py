"""A real Celery worker (Redis in CI, the filesystem broker elsewhere) runs a ledger task."""

from __future__ import annotations

import datetime
from decimal import Decimal

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the test worker)
import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from invoices.models import AgingSnapshot
from invoices.tasks import snapshot_aging
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_takes_the_aging_snapshot_of_a_client(tenant):
    today = tenant_today(tenant)
    payer = PayerFactory(tenant=tenant)
    InvoiceFactory(
        payer=payer,
        issue_date=today - datetime.timedelta(days=40),
        due_date=today - datetime.timedelta(days=10),
        gross_amount=Decimal("1000.00"),
    )
    InvoiceFactory(
        payer=payer,
        issue_date=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=9),
        gross_amount=Decimal("250.50"),
    )
    app.control.purge()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        snapshot_id = snapshot_aging.delay(tenant.id).get(timeout=60)

    snapshot = AgingSnapshot.objects.for_tenant(tenant).get(pk=snapshot_id)
    assert snapshot.on == today
    assert snapshot.overdue_1_30 == Decimal("1000.00")
    assert snapshot.not_due == Decimal("250.50")
    assert snapshot.open_invoices == 2
