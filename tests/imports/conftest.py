from __future__ import annotations

import io
from pathlib import Path

import pytest

from imports.models import ImportBatch
from imports.processing import process_batch
from imports.services import create_batch
from tests.factories import TenantFactory

DATA = Path(__file__).parent / "data"
FEED = DATA / "feed"
BANK = DATA / "bank"


@pytest.fixture
def swiezak(db):
    """The client the sample feed in tests/imports/data belongs to (expected.json).

    It reads English, so batch summaries (written in the client's language) compare in English.
    """
    return TenantFactory(
        language="en",
        name="Hurtownia Warzyw Świeżak sp. z o.o.",
        slug="swiezak",
        nip="7936748186",
        iban="PL21437780138749813784624885",
    )


@pytest.fixture
def run_import():
    """Receive a file as a batch and process it here, as the worker would."""

    def run(tenant, content: bytes | Path, name: str | None = None, **options) -> ImportBatch:
        if isinstance(content, Path):
            name, content = name or content.name, content.read_bytes()
        batch = create_batch(
            tenant=tenant,
            uploaded=io.BytesIO(content),
            original_name=name or "upload.csv",
            channel=ImportBatch.Channel.CLI,
            enqueue=False,
            **options,
        )
        return process_batch(batch=batch)

    return run
