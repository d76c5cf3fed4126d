"""An import that finishes, however it ends, announces itself to the client's subscribed ERP."""

from __future__ import annotations

from decimal import Decimal

from imports.models import ImportBatch
from tests.factories import TenantFactory
from tests.imports.conftest import BANK, FEED
from webhooks.models import WebhookEvent
from webhooks.services import create_endpoint


def subscribe(tenant, *event_types):
    endpoint, _secret = create_endpoint(
        tenant=tenant, url="http://127.0.0.1:9/erp", event_types=event_types
    )
    return endpoint


def test_a_finished_import_publishes_its_counts(swiezak, run_import, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    subscribe(swiezak, "import.finished")

    batch = run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    [event] = WebhookEvent.objects.for_tenant(swiezak)
    assert event.event_type == "import.finished"
    assert event.data["import_id"] == batch.pk
    assert event.data["status"] == ImportBatch.Status.DONE
    assert event.data["created"] == batch.created_count > 0
    assert event.data["rejected"] == batch.rejected_count
    assert event.data["file_name"] == "invoices_erp_cp1250.csv"
    assert event.deliveries.count() == 1


def test_a_refused_file_is_announced_too(swiezak, run_import, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    subscribe(swiezak)  # every event type

    batch = run_import(swiezak, b"\x00\x01 not a feed", "broken.csv", file_format="csv")

    [event] = WebhookEvent.objects.for_tenant(swiezak)
    assert event.data["status"] == batch.status != ImportBatch.Status.DONE


def test_nothing_is_published_without_a_subscription_or_for_another_client(
    swiezak, run_import, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    subscribe(TenantFactory(), "import.finished")
    subscribe(swiezak, "payment.matched")

    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")

    assert not WebhookEvent.objects.exists()


def test_a_bank_credit_matched_on_import_announces_what_it_settled(swiezak, run_import, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    run_import(swiezak, FEED / "invoices_erp_cp1250.csv")
    subscribe(swiezak, "payment.matched")

    batch = run_import(swiezak, BANK / "statement_pko_structured_cp1250.sta")

    events = list(WebhookEvent.objects.for_tenant(swiezak).order_by("id"))
    matched = batch.bank_entries.filter(state="matched")
    assert len(events) == matched.count() > 0
    data = events[0].data
    entry = matched.get(pk=data["bank_entry_id"])
    assert data["amount"] == str(entry.amount)
    assert data["payer_external_id"] == entry.payment.payer.external_id
    assert data["allocations"], data
    assert sum(Decimal(a["amount"]) for a in data["allocations"]) + Decimal(
        data["unallocated"]
    ) == Decimal(data["amount"])
