"""`POST /api/v1/imports` hands over a file; `GET /api/v1/imports/{id}` says how it went."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from imports.models import ImportBatch
from imports.processing import process_batch
from tenants.services import create_api_key
from tests.imports.conftest import FEED


def api(tenant, scope="write") -> APIClient:
    _key, raw = create_api_key(tenant=tenant, name="ERP", scope=scope)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_file(client: APIClient, path):
    return client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        format="multipart",
    )


def test_erp_uploads_a_file_and_reads_the_outcome(swiezak):
    client = api(swiezak)
    response = post_file(client, FEED / "invoices.jsonl")
    assert response.status_code == 202
    assert response.json()["format"] == "jsonl"
    process_batch(batch=ImportBatch.objects.for_tenant(swiezak).get(pk=response.json()["id"]))

    outcome = client.get(f"/api/v1/imports/{response.json()['id']}").json()

    assert (outcome["status"], outcome["created_count"], outcome["rejected_count"]) == (
        "done",
        40,
        0,
    )


def test_a_read_only_key_cannot_upload(swiezak):
    assert post_file(api(swiezak, scope="read"), FEED / "invoices.jsonl").status_code == 403


def test_another_clients_batch_is_not_found(swiezak, other_tenant):
    batch_id = post_file(api(swiezak), FEED / "invoices.jsonl").json()["id"]
    assert api(other_tenant).get(f"/api/v1/imports/{batch_id}").status_code == 404


def test_an_upload_without_a_file_gets_a_field_error(swiezak):
    response = api(swiezak).post("/api/v1/imports", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_file_of_no_known_format_gets_a_field_error(swiezak):
    response = api(swiezak).post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" * 50)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()
