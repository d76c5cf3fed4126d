"""A real Celery worker (Redis in CI, the filesystem broker elsewhere) plans an express hand-over
once it commits: the ledger's signal, the on-commit queueing and the task, end to end."""

from __future__ import annotations

import datetime
import importlib

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the test worker)
import pytest
from celery.contrib.testing.worker import start_worker
from django.apps import apps

from config.celery import app
from contact_schedule.calendar import is_contact_day
from contact_schedule.models import ContactTask
from invoices.services import hand_over_invoice
from invoices.tasks import snapshot_aging
from tenants.selectors import tenant_today
from tests.factories import PayerFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

operator_defaults = importlib.import_module("contact_schedule.migrations.0002_operator_defaults")
express_defaults = importlib.import_module("contact_schedule.migrations.0006_express_defaults")


@pytest.fixture(autouse=True)
def _operator_schedules():
    """Transactional tests flush the database, data migrations included: an earlier one may have
    removed the operator's windows and schedules, the express one among them."""
    operator_defaults.create_operator_defaults(apps, None)
    express_defaults.create_express_default(apps, None)


def test_the_worker_plans_the_express_invoice_handed_over(tenant):
    today = tenant_today(tenant)
    app.control.purge()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        invoice = hand_over_invoice(
            tenant=tenant,
            payer=PayerFactory(tenant=tenant),
            number="FV/W/1",
            issue_date=today - datetime.timedelta(days=45),
            due_date=today - datetime.timedelta(days=30),
            gross_amount="700.00",
        )
        # The solo worker takes messages in order: once this one is done, so is the plan.
        snapshot_aging.delay(tenant.id).get(timeout=60)

    tasks = ContactTask.objects.for_tenant(tenant).filter(planned_date=today)
    if is_contact_day(today, saturday=True):  # calls have Saturday hours, never Sundays
        task = tasks.get()
        assert (task.channel, task.step.message_template) == ("call", "express_call")
        assert list(task.invoices.all()) == [invoice]
    else:
        assert not tasks.exists()
