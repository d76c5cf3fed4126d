"""Consultants work the call screen in real browsers; the supervisor watches the numbers move."""

from __future__ import annotations

import datetime
import pathlib

import pytest
from playwright.sync_api import Browser, Page, expect

from agent.models import CallClaim
from contact_schedule.models import Outcome
from tenants.roles import OperatorRole
from tenants.selectors import tenant_today
from tests.agent.helpers import call_task, operator, owing_payer
from tests.factories import DEFAULT_PASSWORD, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = pathlib.Path(__file__).resolve().parents[2] / "test-artifacts"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    """Consultants are operator staff; TOTP enforcement has its own tests (tests/tenants)."""
    settings.REQUIRE_STAFF_MFA = False


@pytest.fixture
def call_centre(tenant):
    """A team of two consultants and a supervisor for `tenant`, with three payers to call."""
    team = TeamFactory()
    team.clients.add(tenant)
    people = {
        "first": operator(OperatorRole.CONSULTANT, first_name="Agnieszka", last_name="Kamińska"),
        "second": operator(OperatorRole.CONSULTANT, first_name="Piotr", last_name="Lewandowski"),
        "supervisor": operator(OperatorRole.SUPERVISOR, first_name="Tomasz", last_name="Zieliński"),
    }
    team.members.add(*people.values())
    for name, amount, days in (
        ("Zakład Stolarski Wiśniewski", "12300.00", 21),
        ("Hurtownia Elektryczna Mazur", "4920.00", 9),
        ("Piekarnia Złoty Kłos", "615.00", 3),
    ):
        payer, invoices = owing_payer(tenant, name=name, amount=amount, days_overdue=days)
        call_task(tenant, payer, invoices)
    return people


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#open-agent-screen")).to_be_visible()
    page.locator("#open-agent-screen").click()
    expect(page.locator("#worklist-table")).to_be_visible()
    expect(page.locator("html[data-agent-keys=ready]")).to_have_count(1)


def test_a_consultant_takes_the_next_call_and_records_a_promise(
    page: Page, live_server, tenant, call_centre
):
    page.set_viewport_size(SCREEN)
    log_in(page, live_server.url, call_centre["first"].email)
    expect(page.locator("#worklist-table tbody tr")).to_have_count(3)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "agent_worklist.png"))

    page.keyboard.press("Enter")

    expect(page.locator("#payer-card h1")).to_have_text("Zakład Stolarski Wiśniewski")
    expect(page.locator("html[data-agent-keys=ready]")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "agent_payer_card.png"))
    page.keyboard.press("1")
    expect(page.locator("input[name=kind][value=promise]")).to_be_checked()
    expect(page.locator("input[name=callback_at]")).to_be_hidden()
    promised = tenant_today(tenant) + datetime.timedelta(days=3)
    page.fill("input[name=promised_date]", promised.isoformat())
    page.fill("input[name=promised_amount]", "12300")
    page.fill("textarea[name=note]", "Przelew w piątek")
    page.screenshot(path=str(ARTIFACTS / "agent_promise_form.png"))
    page.locator("#save-outcome").click()

    expect(page.locator("#next-call")).to_be_focused()
    expect(page.locator(".messages")).to_contain_text("Zakład Stolarski Wiśniewski")
    outcome = Outcome.objects.get()
    assert (outcome.kind, outcome.promised_date, outcome.user) == (
        "promise",
        promised,
        call_centre["first"],
    )
    expect(page.locator("#worklist-table tbody tr")).to_have_count(2)

    expect(page.locator("html[data-agent-keys=ready]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#payer-card h1")).to_have_text("Hurtownia Elektryczna Mazur")
    expect(page.locator("html[data-agent-keys=ready]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("#next-call")).to_be_visible()
    assert CallClaim.objects.filter(released_at__isnull=True).count() == 0


def test_a_second_consultant_in_parallel_gets_another_payer(
    browser: Browser, live_server, call_centre
):
    names = []
    contexts = [browser.new_context(viewport=SCREEN) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    for page, who in zip(pages, ("first", "second"), strict=True):
        log_in(page, live_server.url, call_centre[who].email)
    # One after the other: both sessions are open and the first still holds its call when the
    # second asks (simultaneous claims are proven on PostgreSQL in tests/agent; the in-memory
    # SQLite of a local run refuses concurrent writers).
    for page in pages:
        page.keyboard.press("Enter")
        expect(page.locator("#payer-card h1")).not_to_be_empty()
        names.append(page.locator("#payer-card h1").inner_text())
    for context in contexts:
        context.close()

    assert len(set(names)) == 2
    assert set(names) <= {
        "Zakład Stolarski Wiśniewski",
        "Hurtownia Elektryczna Mazur",
        "Piekarnia Złoty Kłos",
    }


def test_the_supervisor_sees_the_numbers_move(
    browser: Browser, page: Page, live_server, call_centre
):
    page.set_viewport_size(SCREEN)
    log_in(page, live_server.url, call_centre["supervisor"].email)
    page.goto(f"{live_server.url}/agent/supervisor/")
    waiting = page.locator("#queue-counts [data-count=waiting]")
    claimed = page.locator("#queue-counts [data-count=claimed]")
    expect(waiting).to_have_text("3")
    expect(claimed).to_have_text("0")

    consultant = browser.new_context(viewport=SCREEN).new_page()
    log_in(consultant, live_server.url, call_centre["first"].email)
    consultant.locator("#next-call").click()
    expect(consultant.locator("#payer-card h1")).to_have_text("Zakład Stolarski Wiśniewski")

    # htmx polls every 5 seconds: the page changes without a reload.
    expect(claimed).to_have_text("1", timeout=15_000)
    expect(waiting).to_have_text("2")
    row = page.locator(f'[data-consultant="{call_centre["first"].email}"]')
    expect(row).to_contain_text("Zakład Stolarski Wiśniewski", timeout=15_000)

    expect(consultant.locator("html[data-agent-keys=ready]")).to_have_count(1)
    consultant.keyboard.press("6")  # no answer
    consultant.locator("#save-outcome").click()
    expect(consultant.locator("#next-call")).to_be_visible()
    expect(row.locator("[data-stat=calls]")).to_have_text("1", timeout=15_000)
    expect(claimed).to_have_text("0")
    page.screenshot(path=str(ARTIFACTS / "agent_supervisor.png"), full_page=True)
    consultant.context.close()
