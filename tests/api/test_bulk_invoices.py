"""`POST /api/v1/invoices/bulk`: invoices with payers by reference or inline, per-item report."""

from __future__ import annotations

from decimal import Decimal

from invoices.models import Invoice
from payers.models import Payer
from tests.api.payloads import invoice_item, payer_item, results_by_id
from tests.factories import InvoiceFactory, PayerFactory

URL = "/api/v1/invoices/bulk"


def with_payer(n: int, payer_n: int, **changes) -> dict:
    item = invoice_item(n, payer=payer_item(payer_n), **changes)
    del item["payer_external_id"]
    return item


def test_invoices_and_their_inline_payers_are_created_once(api, tenant):
    items = [with_payer(1, 1), with_payer(2, 1), with_payer(3, 2)]

    response = api.post(URL, {"items": items}, format="json")

    assert response.json()["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 0}
    payers = Payer.objects.for_tenant(tenant)
    assert sorted(payers.values_list("external_id", flat=True)) == ["K/1", "K/2"]
    invoices = Invoice.objects.for_tenant(tenant).order_by("external_id")
    assert [i.payer.external_id for i in invoices] == ["K/1", "K/1", "K/2"]
    assert {i.source for i in invoices} == {"api"}


def test_the_same_items_again_change_nothing(api, tenant):
    items = [with_payer(1, 1), with_payer(2, 1), invoice_item(3, payer_external_id="K/1")]
    api.post(URL, {"items": items}, format="json")
    invoice_stamps = dict(Invoice.objects.for_tenant(tenant).values_list("id", "updated_at"))
    payer_stamps = dict(Payer.objects.for_tenant(tenant).values_list("id", "updated_at"))

    response = api.post(URL, {"items": items}, format="json")

    assert response.json()["summary"] == {"created": 0, "updated": 0, "unchanged": 3, "error": 0}
    assert dict(Invoice.objects.for_tenant(tenant).values_list("id", "updated_at")) == (
        invoice_stamps
    )
    assert dict(Payer.objects.for_tenant(tenant).values_list("id", "updated_at")) == payer_stamps


def test_the_erps_outstanding_amount_moves_the_status(api, tenant):
    PayerFactory(tenant=tenant, external_id="K/1")
    items = [invoice_item(n) for n in (1, 2, 3)]
    api.post(URL, {"items": items}, format="json")
    items[0] |= {"outstanding_amount": "230.00"}
    items[1] |= {"outstanding_amount": "0.00", "paid_on": "2026-10-10"}

    response = api.post(URL, {"items": items}, format="json")

    results = results_by_id(response)
    assert [results[f"FV/{n}/2026"]["result"] for n in (1, 2, 3)] == [
        "updated",
        "updated",
        "unchanged",
    ]
    stored = {i.external_id: i for i in Invoice.objects.for_tenant(tenant)}
    assert stored["FV/1/2026"].status == Invoice.Status.PARTIALLY_PAID
    assert stored["FV/1/2026"].outstanding_amount == Decimal("230.00")
    assert stored["FV/2/2026"].status == Invoice.Status.PAID
    assert str(stored["FV/2/2026"].paid_on) == "2026-10-10"


def test_a_cancelled_invoice_stays_cancelled(api, tenant):
    payer = PayerFactory(tenant=tenant, external_id="K/1")
    InvoiceFactory(
        tenant=tenant, payer=payer, external_id="FV/1/2026", status=Invoice.Status.CANCELLED
    )

    api.post(URL, {"items": [invoice_item(1, outstanding_amount="100.00")]}, format="json")

    invoice = Invoice.objects.for_tenant(tenant).get(external_id="FV/1/2026")
    assert (invoice.status, invoice.outstanding_amount) == ("cancelled", Decimal("100.00"))


def test_valid_items_are_applied_when_others_fail(api, tenant):
    PayerFactory(tenant=tenant, external_id="K/1")
    items = [
        invoice_item(1),
        invoice_item(2, outstanding_amount="9999.00", due_date="2026-01-01"),
        invoice_item(3, payer_external_id="K/404"),
        with_payer(4, 9, gross_amount="oops"),
    ]

    response = api.post(URL, {"items": items}, format="json")

    assert response.status_code == 200
    results = results_by_id(response)
    assert results["FV/1/2026"]["result"] == "created"
    assert set(results["FV/2/2026"]["errors"]) == {"outstanding_amount", "due_date"}
    assert set(results["FV/3/2026"]["errors"]) == {"payer_external_id"}
    assert set(results["FV/4/2026"]["errors"]) == {"gross_amount"}
    assert [i.external_id for i in Invoice.objects.for_tenant(tenant)] == ["FV/1/2026"]
    # The inline payer of the refused invoice is not created either.
    assert not Payer.objects.for_tenant(tenant).filter(external_id="K/9").exists()


def test_an_inline_payer_in_error_fails_its_invoices(api, tenant):
    items = [with_payer(1, 1) | {"payer": payer_item(1, nip="123")}]

    response = api.post(URL, {"items": items}, format="json")

    assert set(response.json()["results"][0]["errors"]) == {"payer.nip"}
    assert not Invoice.objects.for_tenant(tenant).exists()


def test_atomic_applies_nothing_when_one_item_fails(api, tenant):
    items = [with_payer(1, 1), with_payer(2, 1, currency="EURO")]

    response = api.post(f"{URL}?atomic=true", {"items": items}, format="json")

    assert response.status_code == 400
    assert response.json()["summary"]["error"] == 1
    assert not Invoice.objects.for_tenant(tenant).exists()
    assert not Payer.objects.for_tenant(tenant).exists()


def test_repeated_invoice_ids_and_differing_payer_copies_are_errors(api, tenant):
    items = [
        with_payer(1, 1),
        with_payer(1, 1, number="other"),
        with_payer(2, 1) | {"payer": payer_item(1, name="Another name")},
        invoice_item(3, payer_external_id="K/1"),  # names the payer sent inline above
    ]

    response = api.post(URL, {"items": items}, format="json")

    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "error", "error", "created"]
    assert "external_id" in results[1]["errors"]
    assert "payer" in results[2]["errors"]
    assert Payer.objects.for_tenant(tenant).get().name == "Hurtownia 1 Sp. z o.o."


def test_more_than_5000_items_are_refused_whole(api):
    response = api.post(URL, {"items": [invoice_item(n) for n in range(5001)]}, format="json")

    assert response.status_code == 400
    assert "5000" in response.json()["items"][0]


def test_items_sent_before_skip_validation_but_a_change_made_since_is_undone(api, tenant):
    items = [with_payer(1, 1), with_payer(2, 1)]
    api.post(URL, {"items": items}, format="json")
    Invoice.objects.for_tenant(tenant).filter(external_id="FV/1/2026").update(due_date="2026-11-30")

    response = api.post(URL, {"items": items}, format="json")

    results = results_by_id(response)
    assert [results[key]["result"] for key in ("FV/1/2026", "FV/2/2026")] == [
        "updated",
        "unchanged",
    ]
    invoice = Invoice.objects.for_tenant(tenant).get(external_id="FV/1/2026")
    assert str(invoice.due_date) == "2026-10-15"
    assert all(Invoice.objects.for_tenant(tenant).values_list("import_digest", flat=True))
