"""Next call: the top task is taken atomically with a 15-minute lease; nobody shares a payer."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agent import services
from agent.models import CallClaim
from agent.selectors import worklist
from contact_schedule.models import ContactTask
from tenants.roles import OperatorRole
from tenants.selectors import tenant_today
from tests.agent.helpers import call_task, operator, owing_payer


def test_next_call_takes_the_top_task_with_a_lease(tenant, consultant):
    now = timezone.now()
    call_task(tenant, *owing_payer(tenant, amount="100.00"))
    top = call_task(tenant, *owing_payer(tenant, amount="5000.00"))

    claim = services.claim_next_call(consultant=consultant, now=now)

    assert claim.task == top
    assert claim.payer == top.payer
    assert claim.lease_until == now + datetime.timedelta(minutes=15)


def test_a_second_consultant_gets_another_payer(tenant, consultant, second_consultant):
    first_task = call_task(tenant, *owing_payer(tenant, amount="5000.00"))
    second_task = call_task(tenant, *owing_payer(tenant, amount="100.00"))

    first = services.claim_next_call(consultant=consultant)
    second = services.claim_next_call(consultant=second_consultant)

    assert (first.task, second.task) == (first_task, second_task)
    assert services.claim_next_call(consultant=operator(OperatorRole.CONSULTANT)) is None


def test_asking_again_returns_the_call_already_held(tenant, consultant):
    call_task(tenant, *owing_payer(tenant))
    call_task(tenant, *owing_payer(tenant))

    first = services.claim_next_call(consultant=consultant)

    assert services.claim_next_call(consultant=consultant) == first
    assert CallClaim.objects.filter(consultant=consultant).count() == 1


def test_an_abandoned_lease_expires_and_the_task_goes_to_the_next_consultant(
    tenant, consultant, second_consultant
):
    # 10:00 today in the client's zone: sixteen minutes later is still today, whenever this runs.
    now = datetime.datetime.combine(tenant_today(tenant), datetime.time(10), tzinfo=tenant.zone)
    task = call_task(tenant, *owing_payer(tenant), now=now)
    abandoned = services.claim_next_call(consultant=consultant, now=now)

    later = now + datetime.timedelta(minutes=16)
    taken = services.claim_next_call(consultant=second_consultant, now=later)

    abandoned.refresh_from_db()
    assert abandoned.ending == CallClaim.Ending.EXPIRED
    assert abandoned.released_at == abandoned.lease_until
    assert taken.task == task and taken.consultant == second_consultant


def test_release_puts_the_task_back_in_the_queue(tenant, consultant, second_consultant):
    task = call_task(tenant, *owing_payer(tenant))
    claim = services.claim_next_call(consultant=consultant)

    services.release_claim(claim=claim)

    assert services.claim_next_call(consultant=second_consultant).task == task


def test_the_next_call_key_posts_and_opens_the_payer_card(tenant, consultant_client):
    payer, invoices = owing_payer(tenant, name="Odbiorca Pilny S.A.")
    call_task(tenant, payer, invoices)

    response = consultant_client.post(reverse("agent:next"), follow=True)

    assert response.status_code == 200
    assert "Odbiorca Pilny S.A." in response.content.decode()
    assert 'id="outcome-form"' in response.content.decode()


def test_nothing_waiting_says_so(consultant_client):
    response = consultant_client.post(reverse("agent:next"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("agent:worklist")
    assert [str(m) for m in response.context["messages"]] == ["No call is waiting right now."]


def test_a_task_whose_window_is_closed_is_not_taken(tenant, consultant):
    task = call_task(tenant, *owing_payer(tenant))
    task.window_start = timezone.now() + datetime.timedelta(hours=1)
    task.window_end = task.window_start + datetime.timedelta(hours=2)
    task.save()

    assert services.claim_next_call(consultant=consultant) is None
    (row,) = worklist(user=consultant)
    assert not row.takeable


@pytest.mark.django_db(transaction=True)
def test_twenty_consultants_claiming_at_once_never_share_a_task(tenant, team):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SKIP LOCKED); CI runs this on PostgreSQL")
    tasks = [call_task(tenant, *owing_payer(tenant, amount=f"{100 + i}.00")) for i in range(15)]
    consultants = [operator(OperatorRole.CONSULTANT) for _ in range(20)]
    team.members.add(*consultants)
    start = threading.Barrier(len(consultants))
    claimed: list[CallClaim | None] = []
    errors: list[BaseException] = []

    def claim(user):
        try:
            start.wait()
            claimed.append(services.claim_next_call(consultant=user))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in consultants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    taken = [c.task_id for c in claimed if c is not None]
    assert len(taken) == len(set(taken)) == len(tasks)
    assert claimed.count(None) == 5
    assert CallClaim.objects.filter(released_at__isnull=True).count() == 15


def test_claims_follow_the_worklist_order_and_skip_what_it_marks_untakeable(
    tenant, other_tenant, consultant
):
    """The claim (one SQL statement on PostgreSQL, the ORM elsewhere) takes exactly the rows the
    worklist shows as takeable, in the order it shows them."""
    now = timezone.now()
    for amount in ("300.00", "9000.00", "50.00", "1200.00"):
        call_task(tenant, *owing_payer(tenant, amount=amount))
    later = call_task(tenant, *owing_payer(tenant, amount="99999.00"))
    ContactTask.objects.filter(pk=later.pk).update(callback_at=now + datetime.timedelta(hours=1))
    closed = call_task(tenant, *owing_payer(tenant, amount="88888.00"))
    ContactTask.objects.filter(pk=closed.pk).update(window_start=now + datetime.timedelta(hours=1))
    call_task(other_tenant, *owing_payer(other_tenant, amount="77777.00"))
    expected = [row.task.pk for row in worklist(user=consultant, now=now) if row.takeable]
    taken = []

    while (claim := services.claim_next_call(consultant=consultant, now=now)) is not None:
        taken.append(claim.task_id)
        ContactTask.objects.filter(pk=claim.task_id).update(state=ContactTask.State.DONE)
        services.release_claim(claim=claim, ending=CallClaim.Ending.OUTCOME, now=now)

    assert len(expected) == 4
    assert taken == expected


def test_the_task_attempts_the_planner_allowed_cap_the_calls_not_the_steps(tenant, consultant):
    """The planner caps a task's attempts by the client's limits and the operator's budget for
    the NIP (the step says 3, the limits 1): after one unanswered call the task is done for the
    day, on both the ORM path and PostgreSQL's function."""
    now = datetime.datetime.combine(tenant_today(tenant), datetime.time(10), tzinfo=tenant.zone)
    task = call_task(tenant, *owing_payer(tenant), now=now)
    ContactTask.objects.filter(pk=task.pk).update(
        attempts=1, window_end=now + datetime.timedelta(hours=6)
    )
    assert task.step.attempts == 3

    claim = services.claim_next_call(consultant=consultant, now=now)
    services.release_claim(claim=claim, ending=CallClaim.Ending.OUTCOME, now=now)
    CallClaim.objects.filter(pk=claim.pk).update(outcome_kind="no_answer")

    later = now + datetime.timedelta(hours=3)  # past the retry interval
    assert services.claim_next_call(consultant=consultant, now=later) is None
    ContactTask.objects.filter(pk=task.pk).update(attempts=2)
    services.forget_local_rankings()
    assert services.claim_next_call(consultant=consultant, now=later).task_id == task.pk


@pytest.mark.django_db(transaction=True)
def test_one_consultant_pressing_enter_in_two_tabs_at_once_holds_one_call(tenant, team):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent sessions; SQLite serialises every write")
    for i in range(4):
        call_task(tenant, *owing_payer(tenant, amount=f"{100 + i}.00"))
    consultant = operator(OperatorRole.CONSULTANT)
    team.members.add(consultant)
    start = threading.Barrier(6)
    claimed: list[CallClaim | None] = []

    def press():
        try:
            start.wait()
            claimed.append(services.claim_next_call(consultant=consultant))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({claim.pk for claim in claimed}) == 1
    assert CallClaim.objects.filter(consultant=consultant, released_at__isnull=True).count() == 1
