"""The client's document pages and API: listed on the payer page, downloadable by the client's
own users and ERP keys only (another client's ids are 404)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from dunning.documents.services import render_document
from dunning.models import LetterBatch
from tenants.models import ApiKey
from tenants.services import create_api_key
from tests.dunning import letters

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(db):
    return letters.client()


@pytest.fixture
def document(tenant):
    letters.store_nbp_rates()
    payer = letters.debtor(tenant, external_id="K-77")
    letters.overdue_invoices(payer)
    document, _ = render_document(tenant=tenant, payer=payer, kind="demand", day=letters.DAY)
    return document


def api_for(tenant) -> APIClient:
    _key, raw = create_api_key(tenant=tenant, name="ERP", scope=ApiKey.Scope.READ)
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_payer_page_loads_the_documents_section(finance_client, document):
    page = finance_client.get(f"/payers/{document.payer_id}/")
    section = finance_client.get(
        f"/client/documents/payers/{document.payer_id}/", HTTP_HX_REQUEST="true"
    )

    assert f"/client/documents/payers/{document.payer_id}/" in page.content.decode()
    html = section.content.decode()
    assert section.status_code == 200
    assert "Payment demand" in html or "Wezwanie do zapłaty" in html
    assert f"/client/documents/{document.pk}/pdf/" in html
    assert document.sha256[:12] in html


def test_client_user_downloads_the_pdf(finance_client, document):
    response = finance_client.get(f"/client/documents/{document.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and len(content) == document.size
    assert response["X-Content-SHA256"] == document.sha256


def test_another_clients_user_gets_404_for_the_pdf_and_the_payer_section(
    other_finance_client, document
):
    assert other_finance_client.get(f"/client/documents/{document.pk}/pdf/").status_code == 404
    section = other_finance_client.get(f"/client/documents/payers/{document.payer_id}/")
    assert section.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, document):
    response = client.get(f"/client/documents/{document.pk}/pdf/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_lists_a_payers_documents_and_serves_the_pdf(tenant, document):
    api = api_for(tenant)

    listing = api.get("/api/v1/documents", {"payer_external_id": "K-77"})
    pdf = api.get(f"/api/v1/documents/{document.pk}/pdf")

    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert row["id"] == document.pk and row["kind"] == "demand" and row["date"] == "2026-12-04"
    assert row["sha256"] == document.sha256 and row["pages"] == 1
    assert row["pdf_url"].endswith(f"/api/v1/documents/{document.pk}/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_api_of_another_client_gets_404_and_an_empty_list(document):
    other = api_for(letters.client(name="Inny Klient S.A."))

    assert other.get(f"/api/v1/documents/{document.pk}/pdf").status_code == 404
    assert other.get("/api/v1/documents", {"payer_external_id": "K-77"}).status_code == 404
    assert other.get("/api/v1/documents").json()["results"] == []


def test_api_bad_filters_are_specific_400s(tenant, document):
    api = api_for(tenant)

    bad_kind = api.get("/api/v1/documents", {"kind": "invoice"})
    bad_date = api.get("/api/v1/documents", {"date_from": "04.12.2026"})
    unknown = api.get("/api/v1/documents", {"payer_external_id": "NOPE"})

    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    assert bad_date.status_code == 400 and "date_from" in bad_date.json()
    assert unknown.status_code == 404 and "NOPE" in unknown.json()["detail"]


def test_api_filters_by_kind_and_dates(tenant, document):
    api = api_for(tenant)

    assert len(api.get("/api/v1/documents", {"kind": "demand"}).json()["results"]) == 1
    assert api.get("/api/v1/documents", {"kind": "interest_note"}).json()["results"] == []
    after = api.get("/api/v1/documents", {"date_from": "2026-12-05"}).json()["results"]
    assert after == []


def test_letter_batch_page_polls_until_done_then_summarises(finance_client, tenant, document):
    batch = LetterBatch.objects.create(tenant=tenant, day=letters.DAY, total=2, rendered=1)

    running = finance_client.get(f"/client/documents/batches/{batch.pk}/").content.decode()
    batch.already_rendered = 1
    batch.finished_at = batch.started_at
    batch.save()
    document.letter_batch = batch
    document.save()
    finished = finance_client.get(
        f"/client/documents/batches/{batch.pk}/", HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'hx-trigger="every 1s"' in running and "<progress" in running
    assert "every 1s" not in finished and "<html" not in finished
    assert document.payer.name in finished and f"/client/documents/{document.pk}/pdf/" in finished


def test_letter_batch_of_another_client_is_404(other_finance_client, tenant):
    batch = LetterBatch.objects.create(tenant=tenant, day=letters.DAY)
    assert other_finance_client.get(f"/client/documents/batches/{batch.pk}/").status_code == 404
    assert str(letters.DAY) not in other_finance_client.get("/client/documents/").content.decode()


def test_a_missing_file_is_a_404_with_the_reason_not_a_500(finance_client, tenant, document):
    document.file.storage.delete(document.file.name)

    page = finance_client.get(f"/client/documents/{document.pk}/pdf/")
    api = api_for(tenant).get(f"/api/v1/documents/{document.pk}/pdf")

    assert page.status_code == 404
    assert api.status_code == 404 and "missing" in api.json()["detail"]
