"""Who reaches the agent screen: operator consultants and supervisors, each only for the clients
of their teams; client users never."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agent import services
from tenants.roles import OperatorRole
from tests.agent.helpers import call_task, logged_in, operator, owing_payer
from tests.factories import PayerContactFactory, TeamFactory


@pytest.fixture
def foreign(other_tenant):
    """A call held on a client of another team, with its payer and a contact."""
    other_team = TeamFactory()
    other_team.clients.add(other_tenant)
    outsider = operator(OperatorRole.CONSULTANT)
    other_team.members.add(outsider)
    payer, invoices = owing_payer(other_tenant)
    call_task(other_tenant, payer, invoices)
    claim = services.claim_next_call(consultant=outsider)
    return claim


def foreign_urls(claim):
    tenant, payer = claim.tenant_id, claim.payer_id
    contact = PayerContactFactory(payer=claim.payer, value="+48601222333")
    return [
        ("get", reverse("agent:payer", args=[tenant, payer])),
        ("post", reverse("agent:add_phone", args=[tenant, payer])),
        ("post", reverse("agent:contact_wrong", args=[tenant, payer, contact.pk])),
        ("post", reverse("agent:contact_opt_out", args=[tenant, payer, contact.pk])),
        ("get", reverse("agent:call", args=[tenant, claim.pk])),
        ("post", reverse("agent:outcome", args=[tenant, claim.pk])),
        ("post", reverse("agent:release", args=[tenant, claim.pk])),
        ("post", reverse("agent:dial", args=[tenant, claim.pk])),
        ("post", reverse("agent:hang_up", args=[tenant, claim.pk])),
    ]


def test_a_consultant_outside_the_team_gets_404_for_its_payers_and_calls(
    consultant_client, foreign
):
    for method, url in foreign_urls(foreign):
        response = getattr(consultant_client, method)(
            url, {"value": "+48601000111", "kind": "no_answer"}
        )
        assert response.status_code == 404, url
    foreign.refresh_from_db()
    assert foreign.released_at is None and foreign.call_started_at is None
    assert foreign.payer.contacts.filter(is_wrong=True).count() == 0


def test_the_right_client_id_with_another_clients_payer_id_is_404(
    tenant, consultant_client, foreign
):
    response = consultant_client.get(reverse("agent:payer", args=[tenant.pk, foreign.payer_id]))

    assert response.status_code == 404


def test_a_consultant_cannot_open_another_consultants_call(tenant, consultant, second_consultant):
    call_task(tenant, *owing_payer(tenant))
    claim = services.claim_next_call(consultant=consultant)

    response = logged_in(second_consultant).get(reverse("agent:call", args=[tenant.pk, claim.pk]))

    assert response.status_code == 404


def test_a_supervisor_of_another_team_cannot_release_or_reassign(foreign, supervisor):
    client = logged_in(supervisor)
    for name in ("agent:supervisor_release", "agent:supervisor_reassign"):
        response = client.post(reverse(name, args=[foreign.tenant_id, foreign.pk]))
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.released_at is None


def client_user_urls(tenant):
    return [
        ("get", reverse("agent:worklist")),
        ("post", reverse("agent:next")),
        ("get", reverse("agent:supervisor")),
        ("get", reverse("agent:supervisor_live")),
        ("get", reverse("agent:payer", args=[tenant.pk, 1])),
    ]


def test_client_users_cannot_reach_the_agent_screen(tenant, finance_client):
    for method, url in client_user_urls(tenant):
        assert getattr(finance_client, method)(url).status_code == 403, url


def test_a_client_user_cannot_take_a_call_even_with_tasks_waiting(tenant, finance_client):
    call_task(tenant, *owing_payer(tenant))

    assert finance_client.post(reverse("agent:next")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("agent:worklist"))

    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_consultants_do_not_see_the_supervisor_view(consultant_client):
    assert consultant_client.get(reverse("agent:supervisor")).status_code == 403


def test_team_changes_take_effect_at_once_despite_the_cached_team_clients(
    tenant, other_tenant, team, consultant
):
    """The consultant's clients are cached (asked on every press of Enter); a client taken off
    the team, a client suspended or a consultant moved is seen by the very next request."""
    from agent.selectors import team_clients
    from tenants.models import Tenant

    team.clients.add(other_tenant)
    assert {client.pk for client in team_clients(consultant)} == {tenant.pk, other_tenant.pk}

    team.clients.remove(other_tenant)
    assert [client.pk for client in team_clients(consultant)] == [tenant.pk]
    page = logged_in(consultant).get(reverse("agent:worklist"))
    assert other_tenant.name not in page.content.decode()

    tenant.status = Tenant.Status.SUSPENDED
    tenant.save()
    assert team_clients(consultant) == []

    tenant.status = Tenant.Status.ACTIVE
    tenant.save()
    team.members.remove(consultant)
    assert team_clients(consultant) == []
    payer, invoices = owing_payer(tenant)
    call_task(tenant, payer, invoices)
    assert services.claim_next_call(consultant=consultant) is None
