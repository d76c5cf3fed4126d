"""The operator page lists the clients of the user's teams, and only to operator staff."""

from __future__ import annotations

from django.urls import reverse

from tenants.roles import OperatorRole
from tenants.services import create_operator_user
from tests.factories import TeamFactory, TenantFactory


def test_consultant_sees_only_the_clients_of_their_team(client, settings, db):
    settings.REQUIRE_STAFF_MFA = False
    consultant = create_operator_user(email="k1@example.com", role=OperatorRole.CONSULTANT)
    assigned, unassigned = TenantFactory(name="Przypisany S.A."), TenantFactory(name="Obcy S.A.")
    team = TeamFactory()
    team.members.add(consultant)
    team.clients.add(assigned)
    client.force_login(consultant)

    response = client.get(reverse("operator_home"))

    assert response.status_code == 200
    assert "Przypisany S.A." in response.content.decode()
    assert "Obcy S.A." not in response.content.decode()
    assert unassigned not in response.context["clients"]


def test_client_finance_user_gets_404_on_the_operator_page(finance_client):
    assert finance_client.get(reverse("operator_home")).status_code == 404


def test_switching_with_a_malformed_tenant_id_is_not_found(finance_client):
    response = finance_client.post(reverse("switch_tenant"), {"tenant": "1; DROP TABLE"})
    assert response.status_code == 404


def test_invoice_list_tolerates_a_bad_page_and_status(finance_client):
    response = finance_client.get(reverse("invoices:list"), {"page": "abc", "status": "bogus"})
    assert response.status_code == 200
    assert response.context["status"] == ""
