"""`manage.py simulate`: JSON lines as the issue says, the same seed gives the same run, the
ledger is unchanged afterwards, bad options are named."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from contact_schedule.models import CollectionCase, ContactTask, Hold, Outcome
from contact_schedule.simulation import simulate
from invoices.models import Invoice, Payment
from tests.factories import InvoiceFactory, PayerContactFactory, PayerFactory

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
START = D(2026, 12, 1)
CONTACT_KEYS = {"date", "payer_external_id", "channel", "step_offset", "invoice_external_ids"}


@pytest.fixture
def ledger(tenant):
    """Twelve payers with invoices at every stage, before the due date to past +90."""
    for n in range(12):
        payer = PayerFactory(tenant=tenant)
        PayerContactFactory(payer=payer)
        for k in range(3):
            due = START + (10 - 9 * n - 3 * k) * DAY
            InvoiceFactory(
                payer=payer,
                issue_date=due - 30 * DAY,
                due_date=due,
                gross_amount=Decimal(1000 + 10 * n + k),
            )
    return tenant


def run(tenant, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "simulate",
        "--tenant",
        tenant.slug,
        "--start",
        START.isoformat(),
        "--days",
        "40",
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def snapshot():
    return (
        list(Invoice.objects.order_by("pk").values_list("pk", "status", "outstanding_amount")),
        Payment.objects.count(),
        ContactTask.objects.count(),
        Outcome.objects.count(),
        Hold.objects.count(),
        CollectionCase.objects.count(),
    )


def test_json_prints_one_object_per_planned_contact_then_totals(ledger):
    out, err = run(ledger, "--seed", "1", "--json")

    lines = [json.loads(line) for line in out.splitlines()]
    contacts, totals = lines[:-1], lines[-1]["totals"]
    assert contacts and all(set(contact) == CONTACT_KEYS for contact in contacts)
    first = contacts[0]
    assert D.fromisoformat(first["date"]) >= START
    assert isinstance(first["step_offset"], int) and first["invoice_external_ids"]
    assert totals["contacts"] == len(contacts)
    assert sum(totals["contacts_by_channel"].values()) == len(contacts)
    assert totals["escalations"] >= 1  # invoices past +90 within the 40 days
    assert Decimal(totals["amount_collected"]) > 0
    assert "40/40" in err  # the progress bar, on stderr only


def test_no_contact_is_planned_on_a_sunday_or_a_holiday(ledger):
    out, _err = run(ledger, "--seed", "3", "--json")

    dates = {D.fromisoformat(json.loads(line)["date"]) for line in out.splitlines()[:-1]}
    assert all(day.weekday() != 6 for day in dates)
    assert not {D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 26)} & dates


def test_the_same_seed_gives_the_same_run(ledger):
    assert run(ledger, "--seed", "7", "--json")[0] == run(ledger, "--seed", "7", "--json")[0]
    assert run(ledger, "--seed", "7", "--json")[0] != run(ledger, "--seed", "8", "--json")[0]


def test_the_ledger_is_unchanged_afterwards(ledger):
    before = snapshot()

    out, _err = run(ledger, "--seed", "2")

    assert snapshot() == before
    assert "amount_collected" in out and "2026-12-01 Tue" in out  # the timeline and totals


def test_nobody_paying_collects_nothing(ledger):
    out, _err = run(
        ledger,
        *("--seed", "1", "--json", "--pay-rate", "0", "--promise-rate", "0"),
        *("--dispute-rate", "0"),  # an accepted dispute cancels invoices: DSO moves
    )
    totals = json.loads(out.splitlines()[-1])["totals"]
    assert (totals["payments"], totals["amount_collected"]) == (0, "0.00")
    assert totals["dso_after"] == totals["dso_before"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--tenant", "nope", "--start", "2026-12-01"], "no client with the slug 'nope'"),
        (["--start", "1.12.2026"], "not a date in the form YYYY-MM-DD"),
        (["--start", "2026-12-01", "--days", "0"], "between 1 and 3650 days"),
        (["--start", "2026-12-01", "--pay-rate", "1.5"], "pay_rate must be between 0 and 1"),
        (
            ["--start", "2026-12-01", "--pay-rate", "0.6", "--promise-rate", "0.6"],
            "must not exceed 1",
        ),
    ],
)
def test_bad_options_are_named(tenant, options, message):
    if "--tenant" not in options:
        options = ["--tenant", tenant.slug, *options]
    with pytest.raises(CommandError, match=message):
        call_command("simulate", *options, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner lock")
def test_a_simulation_does_not_hold_up_the_clients_real_plans(ledger):
    """The real plans of all clients take turns on a lock; a simulation, rolled back anyway,
    never takes it, so a long what-if run cannot make the nightly planning wait."""
    held = []

    def advisory_locks(_summary) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks"
                " WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
            held.append(cursor.fetchone()[0])

    simulate(tenant=ledger, start=START, days=5, seed=1, on_day=advisory_locks)

    assert held == [0] * 5
