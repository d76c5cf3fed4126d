"""The operator's default schedule, client copies, and versions that never rewrite history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from contact_schedule import services
from contact_schedule.models import (
    ContactLimits,
    ContactTask,
    ContactWindow,
    OperatorContactBudget,
    ScheduleStep,
    ScheduleTemplate,
)
from contact_schedule.planner import plan_day
from contact_schedule.selectors import (
    contact_limits_for,
    published_version,
    schedule_version_for,
)
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (the UI default is Polish)."""
    with translation.override("en"):
        yield


D = datetime.date


def operator_version():
    template = ScheduleTemplate.objects.operator_defaults().get(purpose="program")
    return published_version(template)


def test_every_installation_has_the_operators_default_schedule(tenant):
    version = schedule_version_for(tenant=tenant, purpose="program")
    assert version.template.tenant is None and version.is_published
    steps = [(s.offset_days, s.day_kind, s.channel) for s in version.steps.all()]
    assert steps[:3] == [(-3, "business", "call"), (-2, "business", "sms"), (1, "calendar", "sms")]
    assert [s[0] for s in steps if s[2] == "demand_letter"] == [10, 30, 75]
    assert [s[0] for s in steps if s[2] == "call" and s[0] > 0] == [3, 7, 14, 21, 28, 44, 58]
    assert steps[-1] == (90, "calendar", "escalation")
    assert version.steps.get(offset_days=-2).only_if_no_response
    assert set(ContactWindow.objects.operator_defaults().values_list("channel", flat=True)) == {
        "call",
        "sms",
        "voice",
        "email",
        "demand_letter",
        "interest_note",
    }
    assert contact_limits_for(tenant=tenant).max_sms_per_week == 2
    assert OperatorContactBudget.objects.get().max_calls_per_day == 3


def test_a_published_step_cannot_change(tenant):
    step = schedule_version_for(tenant=tenant, purpose="program").steps.first()
    step.offset_days = -5
    with pytest.raises(ValidationError, match="published"):
        step.full_clean()


def test_a_client_copy_is_a_draft_until_published_and_then_replaces_the_default(tenant):
    default = schedule_version_for(tenant=tenant, purpose="program")
    template = services.copy_template_for_client(tenant=tenant)
    draft = template.versions.get()
    assert not draft.is_published
    assert draft.steps.count() == default.steps.count()
    assert schedule_version_for(tenant=tenant, purpose="program") == default

    draft.steps.filter(offset_days=7).update(channel="voice")
    services.publish_version(version=draft)

    assert schedule_version_for(tenant=tenant, purpose="program") == draft
    assert default.steps.get(offset_days=7).channel == "call"  # the default is untouched


def test_a_second_copy_for_the_same_client_is_refused(tenant):
    services.copy_template_for_client(tenant=tenant)
    with pytest.raises(ValidationError, match="already has its own schedule"):
        services.copy_template_for_client(tenant=tenant)


def test_publishing_twice_or_without_steps_is_refused(tenant):
    template = ScheduleTemplate.objects.create(tenant=tenant, name="Empty")
    empty = services.draft_next_version(template=template)
    with pytest.raises(ValidationError, match="without steps"):
        services.publish_version(version=empty)
    with pytest.raises(ValidationError, match="already published"):
        services.publish_version(version=operator_version())


def test_a_new_version_leaves_earlier_tasks_on_the_steps_they_came_from(tenant):
    InvoiceFactory(payer__tenant=tenant, due_date=D(2026, 12, 4))
    plan_day(tenant=tenant, day=D(2026, 12, 11))  # +7 call from the default v1
    template = services.copy_template_for_client(tenant=tenant)
    services.publish_version(version=template.versions.get())
    new = services.draft_next_version(template=template, note="+14 becomes a voice message")
    assert new.number == 2
    new.steps.filter(offset_days=14).update(channel="voice")
    services.publish_version(version=new)

    plan_day(tenant=tenant, day=D(2026, 12, 18))  # +14

    first, second = ContactTask.objects.for_tenant(tenant).order_by("planned_date")
    assert first.step.version.template.tenant is None and first.channel == "call"
    assert second.step.version == new and second.channel == "voice"
    assert ScheduleStep.objects.filter(pk=first.step_id).exists()


def test_an_open_draft_is_reused_rather_than_a_second_one_made(tenant):
    template = services.copy_template_for_client(tenant=tenant)
    assert services.draft_next_version(template=template) == template.versions.get()


def test_operator_defaults_and_client_rows_are_one_of_each_kind(tenant):
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        ScheduleTemplate.objects.create(tenant=None, purpose="program", name="Second default")
    ContactLimits.objects.create(tenant=tenant)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ContactLimits.objects.create(tenant=tenant)
    with transaction.atomic(), pytest.raises(IntegrityError):
        ContactLimits.objects.create(tenant=None)
