"""Fixtures shared by the invoice tests (the project-wide ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import PayerFactory


@pytest.fixture
def english():
    """Messages are compared in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def payer(tenant):
    return PayerFactory(tenant=tenant)


@pytest.fixture
def handover_data() -> dict[str, str]:
    """A valid POST of the handover form: a new business payer and one invoice."""
    return {
        "payer": "",
        "payer_external_id": "K-900",
        "payer_name": "Hurtownia Nowak Sp. z o.o.",
        "payer_kind": "business",
        "payer_nip": "526-000-12-46",
        "payer_phone": "601 234 567",
        "payer_email": "Ksiegowosc@Nowak.example",
        "number": "FV/77/2026",
        "external_id": "",
        "issue_date": "2026-10-01",
        "due_date": "2026-10-15",
        "currency": "PLN",
        "gross_amount": "2460.00",
        "outstanding_amount": "",
    }
