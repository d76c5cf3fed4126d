"""`manage.py plan_contacts --tenant SLUG [--date YYYY-MM-DD]`."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contact_schedule.models import ContactTask
from tenants.models import Tenant
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("plan_contacts", *args, stdout=out)
    return out.getvalue()


def test_it_plans_the_day_and_prints_tasks_per_channel(tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=datetime.date(2026, 12, 4))  # +7: call
    payer = PayerFactory(tenant=tenant)
    InvoiceFactory(payer=payer, due_date=datetime.date(2026, 12, 1))  # +10: demand

    output = run("--tenant", tenant.slug, "--date", "2026-12-11")

    assert f"{tenant.slug} 2026-12-11: 2 task(s) created" in output
    assert "  call: 1\n" in output and "  demand_letter: 1\n" in output
    assert "  total: 2\n" in output
    assert "0 task(s) created" in run("--tenant", tenant.slug, "--date", "2026-12-11")
    assert ContactTask.objects.for_tenant(tenant).count() == 2


def test_without_a_date_it_plans_today_in_the_clients_zone(tenant, monkeypatch):
    monkeypatch.setattr(
        "contact_schedule.planner.tenant_today", lambda tenant: datetime.date(2026, 12, 11)
    )
    assert "2026-12-11: 0 task(s) created" in run("--tenant", tenant.slug)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nobody"], "no client with the slug 'nobody'"),
        (["--tenant", "{slug}", "--date", "11.12.2026"], "not a date in the form YYYY-MM-DD"),
    ],
)
def test_bad_arguments_get_a_clear_error(tenant, args, message):
    with pytest.raises(CommandError, match=message):
        run(*[arg.format(slug=tenant.slug) for arg in args])


def test_a_suspended_client_is_not_planned(tenant):
    tenant.status = Tenant.Status.SUSPENDED
    tenant.save()
    with pytest.raises(CommandError, match="only for active clients"):
        run("--tenant", tenant.slug)
