"""Escalation: +90 (the default schedule's escalation step) hands invoices to collection, one case
per payer; the daily checks are idempotent; cases export as CSV and JSON (service, admin
action, management command); account managers pause and end pauses in admin."""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from contact_schedule import tasks
from contact_schedule.collection_export import export_cases
from contact_schedule.escalation import (
    escalate,
    escalate_overdue,
    escalation_offsets,
    run_daily_checks,
)
from contact_schedule.holds import pause_invoices
from contact_schedule.models import CollectionCase, ContactTask, Hold
from contact_schedule.outcomes import record_outcome
from contact_schedule.planner import plan_day
from contact_schedule.selectors import clients_due_for_outcome_checks, monitored_invoices
from invoices.bulk import upsert_invoices
from invoices.models import Invoice
from tenants.roles import OperatorRole
from tenants.selectors import tenant_today
from tenants.services import create_operator_user
from tests.factories import DEFAULT_PASSWORD, InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)


def due_on(payer, due, **fields):
    return InvoiceFactory(payer=payer, issue_date=due - 30 * DAY, due_date=due, **fields)


def test_invoices_90_days_overdue_are_escalated_one_case_per_payer(tenant):
    day = D(2027, 3, 1)
    payer, other_payer = PayerFactory(tenant=tenant), PayerFactory(tenant=tenant)
    at_90 = due_on(payer, day - 90 * DAY)
    at_120 = due_on(payer, day - 120 * DAY)
    at_89 = due_on(payer, day - 89 * DAY)
    other_at_95 = due_on(other_payer, day - 95 * DAY)

    cases = escalate_overdue(tenant=tenant, day=day)

    assert len(cases) == 2
    mine = CollectionCase.objects.for_tenant(tenant).get(payer=payer)
    assert mine.reason == CollectionCase.Reason.OVERDUE_90
    assert set(mine.invoices.all()) == {at_90, at_120}
    assert list(CollectionCase.objects.get(payer=other_payer).invoices.all()) == [other_at_95]
    # Monitoring ends for them, not for the invoice at 89 days.
    assert list(monitored_invoices(tenant=tenant, day=day)) == [at_89]


def test_later_invoices_join_the_payers_case_until_it_is_exported(tenant):
    payer = PayerFactory(tenant=tenant)
    day = D(2027, 3, 1)
    first = due_on(payer, day - 90 * DAY)
    second = due_on(payer, day - 89 * DAY)
    third = due_on(payer, day - 80 * DAY)

    escalate_overdue(tenant=tenant, day=day)
    escalate_overdue(tenant=tenant, day=day + DAY)
    case = CollectionCase.objects.for_tenant(tenant).get()
    assert set(case.invoices.all()) == {first, second}

    export_cases(tenant=tenant, fmt="csv")
    escalate_overdue(tenant=tenant, day=day + 10 * DAY)
    newer = CollectionCase.objects.for_tenant(tenant).exclude(pk=case.pk).get()
    assert list(newer.invoices.all()) == [third]


def test_escalated_invoices_are_never_planned_again(tenant):
    payer = PayerFactory(tenant=tenant)
    day = D(2027, 3, 1)
    invoice = due_on(payer, day - 90 * DAY)
    escalate_overdue(tenant=tenant, day=day)
    # A client's schedule with steps after +90 would still contact; the hold prevents it.
    assert invoice.pk not in set(
        monitored_invoices(tenant=tenant, day=day + 30 * DAY).values_list("pk", flat=True)
    )
    plan_day(tenant=tenant, day=day)
    assert not ContactTask.objects.for_tenant(tenant).exists()


def test_the_daily_checks_are_idempotent(tenant):
    payer = PayerFactory(tenant=tenant)
    day = D(2027, 3, 1)
    due_on(payer, day - 100 * DAY)

    first = run_daily_checks(tenant=tenant, day=day)
    second = run_daily_checks(tenant=tenant, day=day)

    assert (first.cases_created, second.cases_created) == (1, 0)
    assert Hold.objects.for_tenant(tenant).filter(kind=Hold.Kind.ESCALATED).count() == 1


def test_paused_invoices_wait_for_their_pause_before_escalation(tenant):
    payer = PayerFactory(tenant=tenant)
    today = tenant_today(tenant)
    invoice = due_on(payer, today - 95 * DAY)
    record_outcome(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="agent",
        promised_date=today + 2 * DAY,
    )

    assert run_daily_checks(tenant=tenant, day=today).cases_created == 0
    # Grace over, promise broken, monitoring resumed: now it goes to collection.
    assert run_daily_checks(tenant=tenant, day=today + 6 * DAY).cases_created == 1
    assert list(CollectionCase.objects.for_tenant(tenant).get().invoices.all()) == [invoice]


def test_a_daily_check_of_one_client_leaves_the_other_alone(tenant, other_tenant):
    due_on(PayerFactory(tenant=tenant), D(2026, 11, 1))
    theirs = due_on(PayerFactory(tenant=other_tenant), D(2026, 11, 1))

    run_daily_checks(tenant=tenant, day=D(2027, 3, 1))

    assert not CollectionCase.objects.for_tenant(other_tenant).exists()
    assert theirs in monitored_invoices(tenant=other_tenant, day=D(2027, 3, 1))


def test_the_beat_task_runs_the_checks_of_clients_at_their_planning_hour(tenant):
    due_on(PayerFactory(tenant=tenant), D(2026, 8, 1))
    ((due_tenant, day),) = [(t, d) for t, d in _due_at_some_hour() if t == tenant]

    result = tasks.check_client_outcomes(due_tenant.pk, day.isoformat())

    assert result["cases_created"] == 1
    assert tasks.check_client_outcomes(due_tenant.pk, day.isoformat())["cases_created"] == 0


def _due_at_some_hour():
    """The clients due at the first hour of the day any is due (the planning hour)."""
    from django.utils import timezone

    start = timezone.now().replace(minute=5, second=0, microsecond=0)
    for hours in range(24):
        due = clients_due_for_outcome_checks(now=start + datetime.timedelta(hours=hours))
        if due:
            return due
    return []


# --- export --------------------------------------------------------------------------------------


@pytest.fixture
def case(tenant):
    payer = PayerFactory(tenant=tenant, name="Meble Nowak sp. z o.o.", city="Łódź")
    PayerContactFactory(payer=payer, value="+48601000051")
    due_on(payer, D(2026, 8, 3), number="FV/1/2026")
    due_on(payer, D(2026, 8, 10), number="FV/2/2026")
    return escalate(tenant=tenant, payer=payer, reason=CollectionCase.Reason.OVERDUE_90)


def test_cases_export_as_csv_one_row_per_invoice(tenant, case):
    text = export_cases(tenant=tenant, fmt="csv")

    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [row["invoice_number"] for row in rows] == ["FV/1/2026", "FV/2/2026"]
    assert rows[0]["payer_name"] == "Meble Nowak sp. z o.o."
    assert rows[0]["payer_phones"] == "+48601000051"
    assert rows[0]["outstanding_amount"] == "1230.00"
    case.refresh_from_db()
    assert case.exported_at is not None


def test_cases_export_as_json_with_invoices_and_history(tenant, case):
    document = json.loads(export_cases(tenant=tenant, fmt="json"))

    assert len(document) == 1
    assert document[0]["reason"] == "overdue_90"
    assert [i["invoice_number"] for i in document[0]["invoices"]] == ["FV/1/2026", "FV/2/2026"]
    assert document[0]["history"] == []


def test_an_export_never_includes_another_clients_cases(tenant, other_tenant, case):
    assert json.loads(export_cases(tenant=other_tenant, fmt="json")) == []
    mixed = CollectionCase.objects.all()
    assert json.loads(export_cases(tenant=other_tenant, fmt="json", cases=mixed)) == []


def test_the_command_writes_only_new_cases_when_asked(tenant, case, tmp_path):
    target = tmp_path / "cases.json"
    call_command("export_collection_cases", tenant=tenant.slug, format="json", output=str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 1

    out = io.StringIO()
    call_command("export_collection_cases", tenant=tenant.slug, format="json", new=True, stdout=out)
    assert json.loads(out.getvalue()) == []


def test_the_command_names_an_unknown_client(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no client with the slug 'nope'"):
        call_command("export_collection_cases", tenant="nope")


# --- admin ---------------------------------------------------------------------------------------


@pytest.fixture
def manager_client(client, settings, db):
    settings.REQUIRE_STAFF_MFA = False
    user = create_operator_user(
        email="opiekun@example.com",
        role=OperatorRole.ACCOUNT_MANAGER,
        password=DEFAULT_PASSWORD,
        full_name="Ewa Nowak",
    )
    client.force_login(user)
    return client


def test_account_managers_may_edit_pauses_but_only_view_outcomes_and_cases(db):
    codenames = set(
        Group.objects.get(name=OperatorRole.ACCOUNT_MANAGER).permissions.values_list(
            "codename", flat=True
        )
    )
    assert {"view_hold", "add_hold", "change_hold", "view_outcome", "view_collectioncase"} <= (
        codenames
    )
    assert not {"delete_hold", "change_outcome", "change_collectioncase"} & codenames


def test_an_account_manager_pauses_a_payer_in_admin(manager_client, tenant):
    payer = PayerFactory(tenant=tenant)
    ends = tenant_today(tenant) + 14 * DAY

    response = manager_client.post(
        reverse("admin:contact_schedule_hold_add"),
        {
            "tenant": tenant.pk,
            "payer": payer.pk,
            "invoice": "",
            "kind": "manual",
            "reason": "Client negotiates a settlement",
            "starts_on": tenant_today(tenant).isoformat(),
            "ends_on": ends.isoformat(),
        },
    )

    assert response.status_code == 302
    hold = Hold.objects.for_tenant(tenant).get()
    assert (hold.payer, hold.ends_on, hold.created_by.email) == (payer, ends, "opiekun@example.com")


def test_admin_refuses_a_manual_pause_without_end_or_on_another_clients_payer(
    manager_client, tenant, other_tenant
):
    stranger = PayerFactory(tenant=other_tenant)

    response = manager_client.post(
        reverse("admin:contact_schedule_hold_add"),
        {
            "tenant": tenant.pk,
            "payer": stranger.pk,
            "kind": "manual",
            "reason": "x",
            "starts_on": tenant_today(tenant).isoformat(),
            "ends_on": "",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "ends_on" in errors and "payer" in errors
    assert not Hold.objects.exists()


def test_the_admin_action_downloads_a_clients_cases(manager_client, tenant, case):
    response = manager_client.post(
        reverse("admin:contact_schedule_collectioncase_changelist"),
        {"action": "export_csv", "_selected_action": [case.pk]},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "FV/1/2026" in response.content.decode()


def test_the_admin_action_refuses_cases_of_two_clients_at_once(
    manager_client, tenant, other_tenant, case
):
    payer = PayerFactory(tenant=other_tenant)
    due_on(payer, D(2026, 8, 3))
    theirs = escalate(tenant=other_tenant, payer=payer, reason=CollectionCase.Reason.MANUAL)

    response = manager_client.post(
        reverse("admin:contact_schedule_collectioncase_changelist"),
        {"action": "export_json", "_selected_action": [case.pk, theirs.pk]},
        follow=True,
    )

    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        refusal = gettext("Export the cases of one client at a time.")
    assert refusal in response.text
    case.refresh_from_db()
    assert case.exported_at is None


@pytest.mark.parametrize("model", ["outcome", "hold", "collectioncase", "outcomerules"])
def test_every_list_opens(manager_client, model):
    response = manager_client.get(reverse(f"admin:contact_schedule_{model}_changelist"))
    assert response.status_code == 200


def test_escalated_invoices_are_marked_and_an_erps_update_keeps_the_mark(tenant):
    day = D(2027, 3, 1)
    invoice = due_on(PayerFactory(tenant=tenant), day - 90 * DAY, external_id="FV/90")

    escalate_overdue(tenant=tenant, day=day)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ESCALATED

    partly = upsert_invoices(
        tenant=tenant, items=[{"external_id": "FV/90", "outstanding_amount": Decimal("1.00")}]
    )
    invoice.refresh_from_db()
    assert (partly.results[0].result, invoice.status) == ("updated", Invoice.Status.ESCALATED)
    upsert_invoices(
        tenant=tenant, items=[{"external_id": "FV/90", "outstanding_amount": Decimal("0.00")}]
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_an_express_invoice_escalates_counting_from_its_hand_over_day(tenant):
    offset, _counted_from = escalation_offsets(tenant=tenant)[Invoice.MonitoringMode.SINGLE]
    handed_over = D(2027, 3, 1)
    payer = PayerFactory(tenant=tenant)
    # Long overdue when handed over: express monitoring starts that day all the same.
    express = due_on(payer, handed_over - 200 * DAY, monitoring_mode=Invoice.MonitoringMode.SINGLE)
    noon = datetime.datetime.combine(handed_over, datetime.time(12), tzinfo=tenant.zone)
    Invoice.objects.filter(pk=express.pk).update(created_at=noon)

    assert escalate_overdue(tenant=tenant, day=handed_over + (offset - 1) * DAY) == []
    (case,) = escalate_overdue(tenant=tenant, day=handed_over + offset * DAY)
    assert list(case.invoices.all()) == [express]


def test_an_early_trigger_takes_only_the_overdue_undisputed_invoices(tenant):
    today = tenant_today(tenant)
    payer = PayerFactory(tenant=tenant)
    overdue = due_on(payer, today - 20 * DAY)
    not_yet_due = due_on(payer, today + 5 * DAY)
    disputed = due_on(payer, today - 30 * DAY)
    pause_invoices(
        tenant=tenant,
        payer=payer,
        invoices=[disputed],
        kind=Hold.Kind.DISPUTE,
        reason="Quality",
        ends_on=None,
    )

    case = escalate(tenant=tenant, payer=payer, reason=CollectionCase.Reason.BROKEN_PROMISES)

    assert list(case.invoices.all()) == [overdue]
    not_yet_due.refresh_from_db()
    assert not_yet_due.status == Invoice.Status.OPEN
    assert list(monitored_invoices(tenant=tenant, day=today)) == [not_yet_due]


def test_a_payer_out_of_reach_goes_to_collection_at_the_daily_check(tenant):
    today = tenant_today(tenant)
    silent, wrong, reachable = (PayerFactory(tenant=tenant) for _ in range(3))
    PayerContactFactory(payer=wrong, is_wrong=True)
    PayerContactFactory(payer=reachable)
    overdue = {payer: due_on(payer, today - 2 * DAY) for payer in (silent, wrong, reachable)}
    not_yet_due = due_on(silent, today + 10 * DAY)

    first = run_daily_checks(tenant=tenant, day=today)
    again = run_daily_checks(tenant=tenant, day=today)

    cases = CollectionCase.objects.for_tenant(tenant)
    assert (first.cases_created, again.cases_created) == (2, 0)
    assert {case.payer for case in cases} == {silent, wrong}
    assert {case.reason for case in cases} == {CollectionCase.Reason.NO_CONTACT_DATA}
    assert list(cases.get(payer=silent).invoices.all()) == [overdue[silent]]
    assert set(monitored_invoices(tenant=tenant, day=today)) == {overdue[reachable], not_yet_due}
