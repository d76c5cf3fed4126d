"""Creating, changing and reading one payer; contacts are normalised and replaced set-wise."""

from __future__ import annotations

from payers.models import Payer, PayerContact
from tests.api.payloads import payer_item
from tests.factories import PayerContactFactory, PayerFactory


def test_create_a_payer_with_normalised_contacts(api, tenant):
    response = api.post(
        "/api/v1/payers",
        payer_item(1, nip="PL 526-000-12-46", phones=["601 234 567", "0048 601-234-567"]),
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["external_id"], body["nip"]) == ("K/1", "5260001246")
    assert body["phones"] == [{"value": "+48601234567", "is_primary": True, "is_usable": True}]
    assert Payer.objects.for_tenant(tenant).get(pk=body["id"]).name == "Hurtownia 1 Sp. z o.o."


def test_create_refuses_an_existing_external_id_and_a_wrong_nip(api, tenant):
    PayerFactory(tenant=tenant, external_id="K/1")

    existing = api.post("/api/v1/payers", payer_item(1), format="json")
    wrong_nip = api.post("/api/v1/payers", payer_item(2, nip="5260001247"), format="json")

    assert (existing.status_code, wrong_nip.status_code) == (400, 400)
    assert "external_id" in existing.json()
    assert "nip" in wrong_nip.json()
    assert Payer.objects.for_tenant(tenant).count() == 1


def test_patch_changes_descriptive_data_and_replaces_contacts(api, tenant):
    payer = PayerFactory(tenant=tenant, city="Łódź")
    PayerContactFactory(payer=payer, value="+48601000001", is_primary=True)
    PayerContactFactory(payer=payer, value="+48601000002")

    response = api.patch(
        f"/api/v1/payers/{payer.id}",
        {"name": "Nowa nazwa", "phones": ["601 000 002", "601 000 003"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Nowa nazwa"
    assert response.json()["city"] == "Łódź"  # left out, kept
    phones = PayerContact.objects.for_tenant(tenant).filter(payer=payer)
    assert sorted(phones.values_list("value", "is_primary")) == [
        ("+48601000002", True),
        ("+48601000003", False),
    ]


def test_patch_refuses_what_the_feed_does_not_own(api, tenant):
    payer = PayerFactory(tenant=tenant)

    response = api.patch(
        f"/api/v1/payers/{payer.id}", {"do_not_contact": False, "external_id": "X"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"do_not_contact", "external_id"}


def test_retrieve_by_id_and_by_external_id_with_a_slash(api, tenant):
    payer = PayerFactory(tenant=tenant, external_id="ODB/2026/7")

    by_id = api.get(f"/api/v1/payers/{payer.id}")
    in_path = api.get("/api/v1/payers/by-external-id/ODB/2026/7")
    in_query = api.get("/api/v1/payers/by-external-id", {"external_id": "ODB/2026/7"})
    missing_parameter = api.get("/api/v1/payers/by-external-id")

    assert by_id.json()["id"] == in_path.json()["id"] == in_query.json()["id"] == payer.id
    assert missing_parameter.status_code == 400
