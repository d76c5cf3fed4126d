"""Planning one client never touches another's; the same NIP at two clients is two payers."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule import services
from contact_schedule.models import ContactTask, ContactTaskInvoice
from contact_schedule.planner import plan_day
from contact_schedule.selectors import schedule_version_for
from tests.factories import InvoiceFactory, PayerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 11)
DUE = datetime.date(2026, 12, 4)  # +7: call


def test_planning_client_a_never_touches_client_b(tenant, other_tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=DUE)
    InvoiceFactory(payer__tenant=other_tenant, due_date=DUE)

    result = plan_day(tenant=tenant, day=DAY)

    assert result.tasks_created == 1
    assert not ContactTask.objects.for_tenant(other_tenant).exists()
    assert ContactTask.objects.count() == 1


def test_the_same_nip_at_two_clients_yields_a_separate_task_in_each(tenant, other_tenant):
    ours = PayerFactory(tenant=tenant, nip="5260250274")
    theirs = PayerFactory(tenant=other_tenant, nip="5260250274", external_id=ours.external_id)
    our_invoice = InvoiceFactory(payer=ours, due_date=DUE)
    their_invoice = InvoiceFactory(payer=theirs, due_date=DUE, external_id=our_invoice.external_id)

    plan_day(tenant=tenant, day=DAY)
    plan_day(tenant=other_tenant, day=DAY)

    our_task = ContactTask.objects.for_tenant(tenant).get()
    their_task = ContactTask.objects.for_tenant(other_tenant).get()
    assert (our_task.payer, their_task.payer) == (ours, theirs)
    assert list(our_task.invoices.all()) == [our_invoice]
    assert list(their_task.invoices.all()) == [their_invoice]
    assert set(ContactTaskInvoice.objects.values_list("tenant_id", "task__tenant_id")) == {
        (tenant.pk, tenant.pk),
        (other_tenant.pk, other_tenant.pk),
    }


def test_a_clients_own_schedule_is_not_used_for_another_client(tenant, other_tenant):
    template = services.copy_template_for_client(tenant=tenant)
    services.publish_version(version=template.versions.get())

    assert schedule_version_for(tenant=tenant, purpose="program").template == template
    assert schedule_version_for(tenant=other_tenant, purpose="program").template.tenant is None
