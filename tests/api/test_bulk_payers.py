"""`POST /api/v1/payers/bulk`: upsert by external id with a per-item report."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payers.models import Payer, PayerContact
from tests.api.payloads import payer_item, results_by_id
from tests.factories import PayerContactFactory, PayerFactory

URL = "/api/v1/payers/bulk"


def ledger_writes(queries: CaptureQueriesContext) -> list[str]:
    """Statements that wrote payers or contacts (the key's last-used stamp is not one)."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and '"payers_' in query["sql"]
    ]


def test_all_items_created(api, tenant):
    response = api.post(URL, {"items": [payer_item(n) for n in range(3)]}, format="json")

    assert response.status_code == 200
    assert response.json()["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 0}
    stored = dict(Payer.objects.for_tenant(tenant).values_list("external_id", "id"))
    assert {r["external_id"]: r["id"] for r in response.json()["results"]} == stored
    assert PayerContact.objects.for_tenant(tenant).count() == 6


def test_the_same_items_again_are_unchanged_and_not_written(api, tenant):
    items = [payer_item(n) for n in range(3)]
    api.post(URL, {"items": items}, format="json")
    stamps = dict(Payer.objects.for_tenant(tenant).values_list("id", "updated_at"))

    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, {"items": items}, format="json")

    assert response.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 3, "error": 0}
    assert ledger_writes(queries) == []
    assert dict(Payer.objects.for_tenant(tenant).values_list("id", "updated_at")) == stamps


def test_a_changed_item_is_updated_and_the_rest_left_alone(api, tenant):
    items = [payer_item(n) for n in range(3)]
    api.post(URL, {"items": items}, format="json")
    before = dict(Payer.objects.for_tenant(tenant).values_list("external_id", "updated_at"))
    items[1] = items[1] | {"city": "Gdańsk"}

    response = api.post(URL, {"items": items}, format="json")

    results = results_by_id(response)
    assert [results[f"K/{n}"]["result"] for n in range(3)] == ["unchanged", "updated", "unchanged"]
    after = dict(Payer.objects.for_tenant(tenant).values_list("external_id", "updated_at"))
    assert after["K/1"] > before["K/1"]
    assert (after["K/0"], after["K/2"]) == (before["K/0"], before["K/2"])
    assert Payer.objects.for_tenant(tenant).get(external_id="K/1").city == "Gdańsk"


def test_contacts_are_replaced_set_wise_keeping_marked_ones(api, tenant):
    payer = PayerFactory(tenant=tenant, external_id="K/1")
    PayerContactFactory(payer=payer, value="+48601000001", is_primary=True)
    PayerContactFactory(payer=payer, value="+48601000002")
    PayerContactFactory(payer=payer, value="+48601000009", opted_out_at=timezone.now())

    response = api.post(
        URL,
        {"items": [{"external_id": "K/1", "phones": ["601 000 002", "601 000 003"]}]},
        format="json",
    )

    assert response.json()["results"][0]["result"] == "updated"
    phones = PayerContact.objects.for_tenant(tenant).filter(payer=payer)
    assert sorted(phones.values_list("value", "is_primary")) == [
        ("+48601000002", True),
        ("+48601000003", False),
        ("+48601000009", False),  # the objection (RODO art. 21) must survive the feed
    ]


def test_valid_items_are_applied_when_others_fail(api, tenant):
    items = [
        payer_item(1),
        payer_item(2, nip="5260001247", phones=["12"]),
        {"external_id": "K/3", "city": "Opole"},
    ]

    response = api.post(URL, {"items": items}, format="json")

    assert response.status_code == 200
    results = results_by_id(response)
    assert results["K/1"]["result"] == "created"
    assert results["K/2"]["result"] == "error"
    assert set(results["K/2"]["errors"]) == {"nip", "phones"}
    assert results["K/3"]["errors"] == {"name": ["Required for a new payer."]}
    assert list(Payer.objects.for_tenant(tenant).values_list("external_id", flat=True)) == ["K/1"]


def test_atomic_applies_nothing_when_one_item_fails(api, tenant):
    items = [payer_item(1), payer_item(2, kind="robot")]

    response = api.post(f"{URL}?atomic=true", {"items": items}, format="json")

    assert response.status_code == 400
    assert response.json()["applied"] is False
    assert [r["result"] for r in response.json()["results"]] == ["created", "error"]
    assert "kind" in response.json()["results"][1]["errors"]
    assert not Payer.objects.for_tenant(tenant).exists()


def test_a_repeated_external_id_is_an_error_on_the_later_items(api, tenant):
    items = [payer_item(1), payer_item(2), payer_item(1, name="Again"), payer_item(1)]

    response = api.post(URL, {"items": items}, format="json")

    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "created", "error", "error"]
    assert "first at item 0" in results[2]["errors"]["external_id"][0]
    assert Payer.objects.for_tenant(tenant).get(external_id="K/1").name != "Again"


def test_more_than_5000_items_are_refused_whole(api, tenant):
    items = [{"external_id": f"K/{n}", "name": "X"} for n in range(5001)]

    response = api.post(URL, {"items": items}, format="json")

    assert response.status_code == 400
    assert "5000" in response.json()["items"][0]
    assert not Payer.objects.for_tenant(tenant).exists()
