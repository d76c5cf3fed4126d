"""Planning tasks (beat's nightly plan, an express hand-over): thin wrappers that load by id and
call a service."""

from __future__ import annotations

import datetime

from celery import shared_task

from contact_schedule import escalation, letters, selectors, services
from invoices.models import Invoice
from tenants.models import Tenant


@shared_task
def plan_client_day(tenant_id: int, day: str) -> int | None:
    """Plan one client's day (ISO date); None when another run already planned it."""
    tenant = Tenant.objects.get(pk=tenant_id)
    result = services.plan_scheduled_day(tenant=tenant, day=datetime.date.fromisoformat(day))
    if result is not None:
        render_client_letters.delay(tenant_id, day)
    return result.tasks_created if result else None


@shared_task
def render_client_letters(tenant_id: int, day: str) -> int:
    """Fan the planned day's letters out to the documents queue; the number of letters."""
    tenant = Tenant.objects.get(pk=tenant_id)
    batch = letters.render_day_letters(tenant=tenant, day=datetime.date.fromisoformat(day))
    return batch.total


@shared_task
def plan_due_clients() -> int:
    """Beat, every quarter hour: queue the plan of each client whose planning hour has come.

    A client queued twice (a slow worker) is planned once: the service claims the day.
    """
    due = selectors.clients_due_for_planning()
    for tenant, day in due:
        plan_client_day.delay(tenant.pk, day.isoformat())
    return len(due)


@shared_task
def plan_express_invoice(tenant_id: int, invoice_id: int) -> int:
    """Plan a just handed-over express invoice's payer for today; how many tasks were created."""
    tenant = Tenant.objects.get(pk=tenant_id)
    invoice = Invoice.objects.for_tenant(tenant).get(pk=invoice_id)
    return services.plan_express_invoice(tenant=tenant, invoice=invoice).tasks_created


@shared_task
def check_client_outcomes(tenant_id: int, day: str) -> dict:
    """One client's daily checks: promises kept or broken, escalations (idempotent)."""
    tenant = Tenant.objects.get(pk=tenant_id)
    checks = escalation.run_daily_checks(tenant=tenant, day=datetime.date.fromisoformat(day))
    return {
        "promises_kept": checks.promises_kept,
        "promises_broken": checks.promises_broken,
        "cases_created": checks.cases_created,
    }


@shared_task
def check_outcomes_due_clients() -> int:
    """Beat, hourly: queue the daily checks of each client whose planning hour it is now.

    A missed hour only delays the checks a day: they act on state (dates passed), not on events.
    """
    due = selectors.clients_due_for_outcome_checks()
    for tenant, day in due:
        check_client_outcomes.delay(tenant.pk, day.isoformat())
    return len(due)
