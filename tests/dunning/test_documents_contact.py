"""The contact a letter gives: the first active member (by last name) of the client's first team
(by name), else the operator's desk."""

from __future__ import annotations

import pytest

from dunning.documents.content import consultant_contact
from tests.factories import TeamFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_first_active_member_of_the_first_team_is_the_contact(settings):
    tenant = TenantFactory()
    first = TeamFactory(name="A-Zespół")
    first.clients.add(tenant)
    first.members.add(
        UserFactory(last_name="Adamska", is_active=False),
        UserFactory(first_name="Ewa", last_name="Nowak", email="ewa@example.com"),
        UserFactory(last_name="Zielińska"),
    )
    later = TeamFactory(name="B-Zespół")
    later.clients.add(tenant)
    later.members.add(UserFactory(last_name="Abacka"))

    contact = consultant_contact(tenant)

    assert (contact.name, contact.email) == ("Ewa Nowak", "ewa@example.com")
    assert contact.phone == settings.DOCUMENTS_CONTACT_PHONE


def test_without_an_active_member_of_the_first_team_the_desk_answers(settings):
    tenant = TenantFactory()
    first = TeamFactory(name="A-Zespół")
    first.clients.add(tenant)
    first.members.add(UserFactory(is_active=False))
    later = TeamFactory(name="B-Zespół")  # a later team's member is not the client's consultant
    later.clients.add(tenant)
    later.members.add(UserFactory())

    contact = consultant_contact(tenant)

    assert (contact.name, contact.email) == ("", settings.DOCUMENTS_CONTACT_EMAIL)
    assert not consultant_contact(TenantFactory()).name  # no team at all
