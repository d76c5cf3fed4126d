"""Consultants, supervisors and their team for the agent-screen tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.roles import OperatorRole
from tests.agent.helpers import logged_in, operator

# The real twilio client against the local fake Twilio, for click-to-call through the provider.
from tests.dunning.conftest import fake_twilio, twilio_settings  # noqa: F401
from tests.factories import TeamFactory


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    """Consultants are operator staff; TOTP enforcement has its own tests (tests/tenants)."""
    settings.REQUIRE_STAFF_MFA = False


@pytest.fixture
def team(tenant):
    team = TeamFactory()
    team.clients.add(tenant)
    return team


@pytest.fixture
def consultant(team):
    user = operator(OperatorRole.CONSULTANT, first_name="Agnieszka", last_name="Kamińska")
    team.members.add(user)
    return user


@pytest.fixture
def second_consultant(team):
    user = operator(OperatorRole.CONSULTANT, first_name="Piotr", last_name="Lewandowski")
    team.members.add(user)
    return user


@pytest.fixture
def supervisor(team):
    user = operator(OperatorRole.SUPERVISOR, first_name="Tomasz", last_name="Zieliński")
    team.members.add(user)
    return user


@pytest.fixture
def consultant_client(consultant) -> Client:
    return logged_in(consultant)
