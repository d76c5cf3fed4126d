"""Account managers edit letter templates in admin: a new template starts from the shipped file,
one that does not compile is refused with the reason, and the saved one is what letters use."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from dunning.documents.selectors import letter_template
from dunning.models import DocumentTemplate
from tenants.roles import OperatorRole
from tests.dunning import letters
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, settings):
    from tenants.services import sync_operator_groups

    settings.REQUIRE_STAFF_MFA = False
    sync_operator_groups()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=OperatorRole.ACCOUNT_MANAGER))
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_add_form_starts_from_the_shipped_template(manager_client):
    response = manager_client.get(
        reverse("admin:dunning_documenttemplate_add") + "?kind=interest_note&language=en"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "INTEREST NOTE" in html and "DejaVu Sans" in html


def test_a_template_that_does_not_compile_is_refused(manager_client):
    response = manager_client.post(
        reverse("admin:dunning_documenttemplate_add"),
        {"tenant": "", "kind": "demand", "language": "pl", "html": "{% if %}", "css": ""},
    )

    assert response.status_code == 200
    assert "The template does not compile" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_an_operator_default_is_used_by_clients_without_their_own(manager_client):
    tenant = letters.client()
    own = letters.client(name="Własny Szablon S.A.")
    DocumentTemplate.objects.create(tenant=own, kind="demand", language="pl", html="own", css="")

    response = manager_client.post(
        reverse("admin:dunning_documenttemplate_add"),
        {"tenant": "", "kind": "demand", "language": "pl", "html": "operator", "css": ""},
    )

    assert response.status_code == 302
    assert letter_template(tenant=tenant, kind="demand", language="pl").html == "operator"
    assert letter_template(tenant=own, kind="demand", language="pl").html == "own"
    assert letter_template(tenant=tenant, kind="demand", language="en").source == "shipped"
