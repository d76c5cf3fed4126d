"""Admin for account managers: schedules, versions with steps, windows, limits, tasks."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from contact_schedule import services
from contact_schedule.models import ContactTask, ScheduleTemplate, ScheduleVersion
from contact_schedule.planner import plan_day
from tenants.models import User
from tests.factories import DEFAULT_PASSWORD, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(User.objects.create_superuser("szef@example.com", DEFAULT_PASSWORD))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "scheduletemplate",
        "scheduleversion",
        "contactwindow",
        "contactlimits",
        "operatorcontactbudget",
        "contacttask",
        "plannerrun",
    ],
)
def test_every_list_opens(admin_client, model):
    response = admin_client.get(reverse(f"admin:contact_schedule_{model}_changelist"))
    assert response.status_code == 200


def test_a_published_version_shows_its_steps_read_only(admin_client):
    version = ScheduleVersion.objects.filter(
        template__tenant=None, template__purpose="program"
    ).get()

    page = admin_client.get(
        reverse("admin:contact_schedule_scheduleversion_change", args=[version.pk])
    )

    assert page.status_code == 200
    assert "courtesy_call" in page.text
    assert 'name="steps-0-offset_days"' not in page.text


def test_an_account_manager_drafts_edits_and_publishes_a_client_schedule(admin_client, tenant):
    template = services.copy_template_for_client(tenant=tenant)
    draft = template.versions.get()
    change = reverse("admin:contact_schedule_scheduleversion_change", args=[draft.pk])
    assert 'name="steps-0-offset_days"' in admin_client.get(change).text

    response = admin_client.post(
        reverse("admin:contact_schedule_scheduleversion_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by.email == "szef@example.com"
    response = admin_client.post(
        reverse("admin:contact_schedule_scheduletemplate_changelist"),
        {"action": "draft_new_version", "_selected_action": [template.pk]},
    )
    assert response.status_code == 302
    assert template.versions.filter(number=2, published_at__isnull=True).exists()


def test_tasks_are_read_only_with_their_invoices(admin_client, tenant):
    invoice = InvoiceFactory(payer__tenant=tenant, due_date=datetime.date(2026, 12, 4))
    plan_day(tenant=tenant, day=datetime.date(2026, 12, 11))
    task = ContactTask.objects.for_tenant(tenant).get()

    page = admin_client.get(reverse("admin:contact_schedule_contacttask_change", args=[task.pk]))

    assert page.status_code == 200
    assert invoice.number in page.text
    assert admin_client.get(reverse("admin:contact_schedule_contacttask_add")).status_code == 403


def test_a_template_cannot_be_moved_to_another_client(admin_client, tenant):
    template = services.copy_template_for_client(tenant=tenant)
    page = admin_client.get(
        reverse("admin:contact_schedule_scheduletemplate_change", args=[template.pk])
    )
    assert 'name="tenant"' not in page.text
    assert ScheduleTemplate.objects.for_tenant(tenant).get() == template
