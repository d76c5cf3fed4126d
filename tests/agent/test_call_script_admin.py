"""Account managers edit the call scripts in admin: the operator's defaults and a client's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agent.models import CallScript
from tenants.roles import OperatorRole
from tenants.services import sync_operator_groups
from tests.agent.helpers import logged_in, operator


@pytest.fixture
def account_manager(db):
    sync_operator_groups()
    user = operator(OperatorRole.ACCOUNT_MANAGER)
    user.is_staff = True
    user.save()
    return user


def test_the_operator_default_scripts_are_there_in_polish(db):
    scripts = {script.stage: script for script in CallScript.objects.operator_defaults()}

    assert set(scripts) == {"pre_due", "overdue"}
    assert scripts["overdue"].text.startswith("Dzień dobry")


def test_an_account_manager_gives_a_client_its_own_script(tenant, account_manager):
    client = logged_in(account_manager)

    response = client.post(
        reverse("admin:agent_callscript_add"),
        {
            "tenant": tenant.pk,
            "stage": "pre_due",
            "title": "Grzecznie",
            "text": "Dzień dobry, {payer}",
        },
    )

    assert response.status_code == 302
    assert CallScript.objects.for_tenant(tenant).get().title == "Grzecznie"


def test_a_second_script_for_the_same_client_and_stage_is_refused(tenant, account_manager):
    CallScript.objects.create(tenant=tenant, stage="overdue", title="A", text="A")

    response = logged_in(account_manager).post(
        reverse("admin:agent_callscript_add"),
        {"tenant": tenant.pk, "stage": "overdue", "title": "B", "text": "B"},
    )

    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert CallScript.objects.for_tenant(tenant).count() == 1
