"""create_payer: a payer added by hand, its NIP normalised, its contacts stored in E.164."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from payers.models import Payer, PayerContact
from payers.services import create_payer
from tests.factories import PayerFactory


def test_the_payer_and_its_contacts_are_stored_normalised(tenant):
    payer = create_payer(
        tenant=tenant,
        external_id=" K-7 ",
        name="Hurtownia Nowak",
        nip="PL 526-000-12-46",
        phones=["601 234 567", "+48 601-234-567", "0048 22 123 45 67"],
        emails=["Biuro@Nowak.Example"],
    )

    assert (payer.external_id, payer.nip) == ("K-7", "5260001246")
    contacts = list(
        PayerContact.objects.for_tenant(tenant)
        .filter(payer=payer)
        .order_by("id")
        .values_list("kind", "value", "is_primary")
    )
    assert contacts == [
        ("phone", "+48601234567", True),
        ("phone", "+48221234567", False),
        ("email", "biuro@nowak.example", True),
    ]


def test_a_bogus_phone_saves_nothing_and_names_the_number(tenant):
    with pytest.raises(ValidationError) as error:
        create_payer(tenant=tenant, external_id="K-7", name="Nowak", phones=["12345"])

    assert "12345" in " ".join(error.value.message_dict["phones"])
    assert Payer.objects.for_tenant(tenant).count() == 0


def test_a_bad_email_is_refused(tenant):
    with pytest.raises(ValidationError) as error:
        create_payer(tenant=tenant, external_id="K-7", name="Nowak", emails=["nowak@"])

    assert "nowak@" in " ".join(error.value.message_dict["emails"])


def test_a_nip_with_a_wrong_check_digit_is_refused(tenant):
    with pytest.raises(ValidationError) as error:
        create_payer(tenant=tenant, external_id="K-7", name="Nowak", nip="5260001247")

    assert list(error.value.message_dict) == ["nip"]


def test_an_id_already_used_by_the_client_is_refused(tenant, other_tenant):
    PayerFactory(tenant=tenant, external_id="K-7")
    PayerFactory(tenant=other_tenant, external_id="K-8")

    with pytest.raises(ValidationError) as error:
        create_payer(tenant=tenant, external_id="K-7", name="Nowak")
    elsewhere_taken_id_is_free = create_payer(tenant=tenant, external_id="K-8", name="Kowal")

    assert list(error.value.message_dict) == ["external_id"]
    assert elsewhere_taken_id_is_free.tenant == tenant
