"""A tenant with a little ledger, its write key, and an API without throttling, for fuzzing.

The ledger's rows have fixed ids and external ids (LEDGER_IDS, LEDGER_EXTERNAL_IDS), far above
what the sequences reach in a test run, so the fuzzer can be pointed at them without asking the
database which ids it handed out.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from imports.models import BankEntry, ImportBatch
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

FIRST_LEDGER_ID = 1_000_001
LEDGER_IDS = range(FIRST_LEDGER_ID, FIRST_LEDGER_ID + 4)
PAYER_EXTERNAL_IDS = ["K/1", "K/2", "K/3"]
INVOICE_EXTERNAL_IDS = ["FV/1/2026", "FV/2/2026", "FV/3/2026", "FV/4/2026"]
LEDGER_EXTERNAL_IDS = [*PAYER_EXTERNAL_IDS, *INVOICE_EXTERNAL_IDS, "BANK-1"]
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
def no_import_queue(monkeypatch) -> list[int]:
    """Uploaded files are kept but not queued: these tests are about the API, not the worker."""
    from imports import tasks

    queued: list[int] = []
    monkeypatch.setattr(tasks.process_import_batch, "delay", queued.append)
    return queued


@pytest.fixture
def uploads_in_tmp(settings, tmp_path) -> None:
    """The files the fuzzer uploads are kept in the test's own folder, not in var/."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def fuzz_tenant(transactional_db, uploads_in_tmp) -> Tenant:
    """Three payers (one with a phone), open and paid invoices, a payment, an import batch and a
    bank credit waiting for review."""
    tenant = TenantFactory()
    payers = [
        PayerFactory(id=row_id, tenant=tenant, external_id=external_id)
        for row_id, external_id in zip(LEDGER_IDS, PAYER_EXTERNAL_IDS, strict=False)
    ]
    PayerContactFactory(payer=payers[0])
    for row_id, external_id, payer in zip(
        LEDGER_IDS, INVOICE_EXTERNAL_IDS, [*payers, payers[0]], strict=True
    ):
        InvoiceFactory(id=row_id, tenant=tenant, payer=payer, external_id=external_id)
    Invoice.objects.filter(external_id="FV/4/2026").update(
        status=Invoice.Status.PAID,
        outstanding_amount=Decimal("0.00"),
        paid_on=datetime.date(2026, 10, 10),
    )
    PaymentFactory(id=FIRST_LEDGER_ID, tenant=tenant, payer=payers[1], external_id="BANK-1")
    batch = create_batch(
        tenant=tenant,
        uploaded=io.BytesIO(SAMPLE_CSV.encode()),
        original_name="feed.csv",
        channel=ImportBatch.Channel.API,
        enqueue=False,
    )
    BankEntry.objects.create(  # a credit waiting for review, for the bank-entries endpoints
        id=FIRST_LEDGER_ID,
        tenant=tenant,
        batch=batch,
        external_id="STMT-1",
        amount=Decimal("123.00"),
        booked_on=datetime.date(2026, 10, 20),
        title="FV/1/2026",
    )
    return tenant


@pytest.fixture
def fuzz_auth(fuzz_tenant, no_throttling, no_import_queue) -> dict[str, str]:
    """Headers of a request sent with a write key of `fuzz_tenant`."""
    _key, raw_key = create_api_key(tenant=fuzz_tenant, name="Fuzzer", scope=ApiKey.Scope.WRITE)
    return {"Authorization": f"Bearer {raw_key}"}


@pytest.fixture
def api(tenant) -> APIClient:
    """`tenant`'s ERP with a write key, for the regression tests."""
    _key, raw_key = create_api_key(tenant=tenant, name="ERP", scope=ApiKey.Scope.WRITE)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
