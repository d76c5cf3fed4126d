"""What fuzzing the API found (schemathesis, and edge values tried by hand), each pinned here."""

from __future__ import annotations

import io

import jsonschema
import pytest

from imports.models import ImportBatch
from imports.services import create_batch
from tests.api_fuzz.conftest import SAMPLE_CSV
from tests.factories import PayerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uploads_in_tmp")]


def upload(tenant, name: str) -> ImportBatch:
    return create_batch(
        tenant=tenant,
        uploaded=io.BytesIO(SAMPLE_CSV.encode() + name.encode()),
        original_name=name,
        channel=ImportBatch.Channel.API,
        enqueue=False,
    )


def test_the_list_of_imports_is_newest_first(api, tenant):
    """It answered every request with a 500: the default cursor paginator sorted on `created`."""
    first, second = upload(tenant, "monday.csv"), upload(tenant, "tuesday.csv")

    newest_first = api.get("/api/v1/imports")
    oldest_first = api.get("/api/v1/imports", {"ordering": "id"})

    assert newest_first.status_code == 200
    assert [batch["id"] for batch in newest_first.json()["results"]] == [second.id, first.id]
    assert [batch["id"] for batch in oldest_first.json()["results"]] == [first.id, second.id]


def test_a_forged_cursor_of_the_imports_list_is_a_400(api, tenant):
    upload(tenant, "monday.csv")

    response = api.get("/api/v1/imports", {"cursor": "cD14"})  # position "x" is not an id

    assert response.status_code == 400
    assert "cursor" in response.json()


def new_invoice(**changes) -> dict:
    return {
        "external_id": "FV/1/2026",
        "number": "FV/1/2026",
        "issue_date": "2026-10-01",
        "gross_amount": "1230.00",
        "payer_external_id": "K/1",
    } | changes


@pytest.mark.parametrize("issue_date", ["3000-01-01", "9999-12-30"])
def test_an_issue_date_after_2999_is_a_field_error(api, tenant, issue_date):
    """Without a due date, issue date plus the payment term overflowed: a 500 near 9999-12-31."""
    PayerFactory(tenant=tenant, external_id="K/1")
    item = new_invoice(issue_date=issue_date)

    single = api.post("/api/v1/invoices", item, format="json")
    bulk = api.post("/api/v1/invoices/bulk", {"items": [item]}, format="json")

    assert single.status_code == 400
    assert "2999-12-31" in single.json()["issue_date"][0]
    assert bulk.json()["results"][0]["errors"]["issue_date"] == single.json()["issue_date"]


def test_the_last_issue_date_accepted_gets_the_default_due_date(api, tenant):
    PayerFactory(tenant=tenant, external_id="K/1")

    response = api.post("/api/v1/invoices", new_invoice(issue_date="2999-12-31"), format="json")

    assert response.status_code == 201
    assert response.json()["due_date"] == "3000-01-14"  # the default term of 14 days


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def test_the_schema_says_an_import_may_have_no_earlier_twin(api, tenant, schema):
    """Typed clients generated from the schema failed on `"same_file_as": null` (said integer)."""
    batch = api.get(f"/api/v1/imports/{upload(tenant, 'monday.csv').id}").json()

    assert batch["same_file_as"] is None
    assert schema["components"]["schemas"]["ImportBatch"]["properties"]["same_file_as"]["nullable"]


@pytest.mark.parametrize("path", ["/api/v1/payers/bulk", "/api/v1/invoices/bulk"])
def test_the_schema_documents_field_errors_as_a_bulk_400(api, schema, path):
    """The schema promised a bulk report with every 400; a malformed envelope gives field errors."""
    response = api.post(path, {"item": []}, format="json")
    documented = schema["paths"][path]["post"]["responses"]["400"]["content"]["application/json"]
    report, field_errors = documented["schema"]["oneOf"]

    assert response.status_code == 400
    assert report == {"$ref": "#/components/schemas/BulkReport"}
    jsonschema.validate(response.json(), field_errors)
