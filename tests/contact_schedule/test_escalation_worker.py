"""A real Celery worker runs a client's daily outcome checks (escalation at +90)."""

from __future__ import annotations

import datetime
import importlib

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the test worker)
import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps

from config.celery import app
from contact_schedule.models import CollectionCase
from contact_schedule.tasks import check_client_outcomes
from tenants.selectors import tenant_today
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

operator_defaults = importlib.import_module("contact_schedule.migrations.0002_operator_defaults")


@pytest.fixture(autouse=True)
def _operator_schedule():
    """Transactional tests flush the database, data migrations included: an earlier one may have
    removed the operator's default schedule, whose +90 step this test escalates at."""
    operator_defaults.create_operator_defaults(apps, None)


def test_worker_escalates_a_clients_invoices_past_90_days_once(tenant):
    today = tenant_today(tenant)
    invoice = InvoiceFactory(
        payer=PayerFactory(tenant=tenant),
        issue_date=today - datetime.timedelta(days=130),
        due_date=today - datetime.timedelta(days=100),
    )
    app.control.purge()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = check_client_outcomes.delay(tenant.id, today.isoformat()).get(timeout=60)
        again = check_client_outcomes.delay(tenant.id, today.isoformat()).get(timeout=60)

    assert (first["cases_created"], again["cases_created"]) == (1, 0)
    case = CollectionCase.objects.for_tenant(tenant).get()
    assert list(case.invoices.all()) == [invoice]
