"""The supervisor's view: live queue, the consultants' day, promises; release and reassign."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from agent import services
from agent.models import CallClaim
from agent.supervision import consultants_today, promises_of_today
from contact_schedule.models import Outcome
from tenants.roles import OperatorRole
from tenants.selectors import tenant_today
from tests.agent.helpers import call_task, logged_in, operator, owing_payer
from tests.factories import TeamFactory


def test_the_consultants_day_counts_calls_talk_time_contacts_and_promises(
    tenant, consultant, second_consultant, supervisor
):
    now = timezone.now()
    for _ in range(3):
        call_task(tenant, *owing_payer(tenant))
    promised = services.claim_next_call(consultant=consultant, now=now)
    CallClaim.objects.filter(pk=promised.pk).update(
        call_started_at=now, call_ended_at=now + datetime.timedelta(seconds=70)
    )
    services.record_call_outcome(
        claim=promised,
        consultant=consultant,
        kind="promise",
        promised_date=tenant_today(tenant) + datetime.timedelta(days=2),
        promised_amount=Decimal("500.00"),
        now=now,
    )
    unanswered = services.claim_next_call(consultant=consultant, now=now)
    services.record_call_outcome(claim=unanswered, consultant=consultant, kind="no_answer", now=now)
    holding = services.claim_next_call(consultant=second_consultant, now=now)

    days = {day.consultant: day for day in consultants_today(clients=[tenant], now=now)}

    mine = days[consultant]
    assert (mine.calls, mine.right_party, mine.promises) == (2, 1, 1)
    assert mine.promised_amount == Decimal("500.00") and mine.talk_time == "1:10"
    assert days[second_consultant].holding == holding and days[second_consultant].calls == 0
    assert supervisor in days  # supervisors who call are counted too


def test_promises_due_today_and_broken_ones_are_listed(tenant):
    payer, _ = owing_payer(tenant)
    today = tenant_today(tenant)
    due = Outcome.objects.create(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="agent",
        promised_date=today,
        promised_amount=Decimal("10.00"),
        promise_state="pending",
    )
    broken = Outcome.objects.create(
        tenant=tenant,
        payer=payer,
        kind="promise",
        source="agent",
        promised_date=today - datetime.timedelta(days=4),
        promise_state="broken",
        promise_checked_at=timezone.now(),
    )

    (client,) = promises_of_today(clients=[tenant])

    assert client.due_today == [due] and client.broken == [broken]


def test_the_live_part_shows_the_numbers(tenant, consultant, supervisor):
    call_task(tenant, *owing_payer(tenant))
    call_task(tenant, *owing_payer(tenant))
    services.claim_next_call(consultant=consultant)

    page = logged_in(supervisor).get(reverse("agent:supervisor_live")).content.decode()

    waiting = page.split('data-count="waiting">', 1)[1].split("<", 1)[0]
    claimed = page.split('data-count="claimed">', 1)[1].split("<", 1)[0]
    assert (waiting, claimed) == ("1", "1")
    assert f'data-consultant="{consultant.email}"' in page


def test_a_supervisor_releases_a_stuck_call(tenant, consultant, supervisor):
    call_task(tenant, *owing_payer(tenant))
    claim = services.claim_next_call(consultant=consultant)

    response = logged_in(supervisor).post(
        reverse("agent:supervisor_release", args=[tenant.pk, claim.pk])
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.ending == CallClaim.Ending.SUPERVISOR


def test_a_supervisor_reassigns_a_call_to_another_consultant(
    tenant, consultant, second_consultant, supervisor
):
    call_task(tenant, *owing_payer(tenant))
    claim = services.claim_next_call(consultant=consultant)

    logged_in(supervisor).post(
        reverse("agent:supervisor_reassign", args=[tenant.pk, claim.pk]),
        {"consultant": second_consultant.pk},
    )

    claim.refresh_from_db()
    assert claim.ending == CallClaim.Ending.REASSIGNED
    moved = CallClaim.objects.get(released_at__isnull=True)
    assert (moved.task, moved.consultant) == (claim.task, second_consultant)
    # The first consultant's screen no longer holds it; recording on it is refused.
    assert services.claim_next_call(consultant=consultant) is None


def test_reassigning_to_a_consultant_outside_the_clients_teams_is_refused(
    tenant, consultant, supervisor
):
    call_task(tenant, *owing_payer(tenant))
    claim = services.claim_next_call(consultant=consultant)
    stranger = operator(OperatorRole.CONSULTANT)
    TeamFactory().members.add(stranger)

    response = logged_in(supervisor).post(
        reverse("agent:supervisor_reassign", args=[tenant.pk, claim.pk]),
        {"consultant": stranger.pk},
        follow=True,
    )

    assert "Choose a consultant of a team serving this client." in response.content.decode()
    claim.refresh_from_db()
    assert claim.released_at is None
