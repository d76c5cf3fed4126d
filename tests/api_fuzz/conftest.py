"""A tenant with a little ledger and the write key the fuzzer sends with every request."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest

from imports.models import ImportBatch
from imports.services import create_batch
from invoices.models import Invoice
from tenants.models import ApiKey, Tenant
from tenants.services import create_api_key
from tests.factories import (
    InvoiceFactory,
    PayerContactFactory,
    PayerFactory,
    PaymentFactory,
    TenantFactory,
)

SAMPLE_CSV = (
    "Numer dokumentu;Kontrahent;NIP nabywcy;Data wystawienia;Termin płatności;Kwota brutto\n"
    "FV/9/2026;Odbiorca;;2026-10-01;2026-10-15;123,00\n"
)


@pytest.fixture
def no_throttling(settings):
    """A budget no fuzzing run exhausts, so a 429 never hides what the endpoint would answer."""
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"api_key": "1000000/min"}
    }


@pytest.fixture
def no_import_queue(monkeypatch):
    """Uploaded files are kept but not queued: the fuzzer tests the API, not the worker."""
    from imports import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.process_import_batch, "delay", queued.append)
    return queued


@pytest.fixture
def fuzz_tenant(transactional_db) -> Tenant:
    """A client with a few payers, invoices in several states, a payment and an import batch.

    Ids start at 1 (the test resets sequences), so generated small ids reach real rows too.
    """
    tenant = TenantFactory()
    payers = [PayerFactory(tenant=tenant, external_id=f"K/{n}") for n in range(1, 4)]
    PayerContactFactory(payer=payers[0])
    for n, payer in enumerate(payers, start=1):
        InvoiceFactory(tenant=tenant, payer=payer, external_id=f"FV/{n}/2026")
    InvoiceFactory(
        tenant=tenant,
        payer=payers[0],
        external_id="FV/4/2026",
        status=Invoice.Status.PAID,
        outstanding_amount=Decimal("0.00"),
        paid_on=datetime.date(2026, 10, 10),
    )
    PaymentFactory(tenant=tenant, payer=payers[1], external_id="BANK-1")
    create_batch(
        tenant=tenant,
        uploaded=io.BytesIO(SAMPLE_CSV.encode()),
        original_name="feed.csv",
        channel=ImportBatch.Channel.API,
        enqueue=False,
    )
    return tenant


@pytest.fixture
def fuzz_auth(fuzz_tenant, no_throttling, no_import_queue) -> dict[str, str]:
    """Headers of a request sent with a write key of `fuzz_tenant`."""
    _key, raw_key = create_api_key(tenant=fuzz_tenant, name="Fuzzer", scope=ApiKey.Scope.WRITE)
    return {"Authorization": f"Bearer {raw_key}"}
