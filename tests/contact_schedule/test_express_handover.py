"""Handing over an express invoice: the page's express option and PDF, the API's express flag;
bad files and other clients' ids are refused, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from invoices.documents import MAX_DOCUMENT_BYTES
from invoices.models import Invoice
from payers.models import Payer
from tenants.services import create_api_key
from tests.factories import PayerFactory

pytestmark = pytest.mark.django_db

URL = reverse("invoices:handover")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def data(tenant) -> dict:
    payer = PayerFactory(tenant=tenant)
    return {"payer": payer.id, "number": "FV/9/2026", "issue_date": "2026-10-01",
            "due_date": "2026-10-31", "currency": "PLN", "gross_amount": "900.00",
            "monitoring": "express"}  # fmt: skip


def pdf(content: bytes = PDF, name: str = "faktura.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_express_invoice_with_its_pdf_is_saved_and_the_pdf_downloads(
    finance_client, tenant, data, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = finance_client.post(URL, data | {"document": pdf()})

    invoice = Invoice.objects.for_tenant(tenant).get()
    assert response.status_code == 302
    assert invoice.monitoring_mode == Invoice.MonitoringMode.SINGLE
    assert len(queued) == 1  # the express plan, started once the hand-over commits
    assert invoice.document.name.startswith(f"invoices/{tenant.pk}/")
    detail = finance_client.get(response["Location"])
    link = reverse("invoices:document", args=[invoice.id])
    assert link in detail.text
    download = finance_client.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_the_page_offers_the_express_option_and_the_pdf(finance_client):
    page = finance_client.get(URL)

    assert 'name="monitoring" value="express"' in page.text
    assert 'type="file" name="document"' in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_the_programme_option_hands_over_without_an_express_plan(
    finance_client, tenant, data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        finance_client.post(URL, data | {"monitoring": "program"})

    assert Invoice.objects.for_tenant(tenant).get().monitoring_mode == "program"
    assert queued == []


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (pdf(b"PK\x03\x04 a zip file, not a PDF", "faktura.pdf"), "not_pdf"),
        (pdf(b"", "empty.pdf"), "empty"),
        (pdf(PDF + b"0" * MAX_DOCUMENT_BYTES), "too_big"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(finance_client, tenant, data, document, code):
    response = finance_client.post(URL, data | {"document": document})

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["document"]
    assert error.code == code
    assert not Invoice.objects.for_tenant(tenant).exists()


def test_a_bad_monitoring_choice_is_refused(finance_client, tenant, data):
    response = finance_client.post(URL, data | {"monitoring": "turbo"})

    assert "monitoring" in response.context["form"].errors
    assert not Invoice.objects.for_tenant(tenant).exists()


def test_another_clients_invoice_pdf_is_a_404(
    finance_client, other_finance_client, tenant, data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    finance_client.post(URL, data | {"document": pdf()})
    invoice = Invoice.objects.for_tenant(tenant).get()

    assert (
        other_finance_client.get(reverse("invoices:document", args=[invoice.id])).status_code == 404
    )
    assert (
        other_finance_client.get(reverse("invoices:detail", args=[invoice.id])).status_code == 404
    )


def test_an_invoice_without_a_pdf_has_no_download(finance_client, tenant, data):
    finance_client.post(URL, data)
    invoice = Invoice.objects.for_tenant(tenant).get()

    assert finance_client.get(reverse("invoices:document", args=[invoice.id])).status_code == 404


def test_another_clients_payer_cannot_be_chosen(finance_client, other_tenant, data):
    data["payer"] = PayerFactory(tenant=other_tenant).id

    response = finance_client.post(URL, data | {"document": pdf()})

    assert "payer" in response.context["form"].errors
    assert not Invoice.objects.exists()


# --- The API's express flag ---------------------------------------------------------------------


def api_of(tenant) -> APIClient:
    _key, raw_key = create_api_key(tenant=tenant, name="ERP", scope="write")
    return APIClient(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def item(**changes) -> dict:
    return {"external_id": "FV/E/7", "number": "FV/E/7", "payer_external_id": "K/E",
            "issue_date": "2026-10-01", "due_date": "2026-10-15",
            "gross_amount": "1230.00"} | changes  # fmt: skip


def test_the_api_express_flag_starts_express_monitoring_at_once(
    tenant, django_capture_on_commit_callbacks
):
    PayerFactory(tenant=tenant, external_id="K/E")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api_of(tenant).post("/api/v1/invoices", item(express=True), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["monitoring_mode"] == "single"
    assert Invoice.objects.for_tenant(tenant).get().monitoring_mode == "single"
    assert len(queued) == 1


def test_without_the_flag_the_api_hands_over_to_the_programme(
    tenant, django_capture_on_commit_callbacks
):
    PayerFactory(tenant=tenant, external_id="K/E")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = api_of(tenant).post("/api/v1/invoices", item(), format="json")

    assert response.json()["monitoring_mode"] == "program"
    assert queued == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"express": True, "monitoring_mode": "program"}, "express"),
        ({"express": "soon"}, "express"),
    ],
)
def test_contradicting_or_bad_express_flags_are_refused(tenant, changes, field):
    PayerFactory(tenant=tenant, external_id="K/E")

    response = api_of(tenant).post("/api/v1/invoices", item(**changes), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Invoice.objects.for_tenant(tenant).exists()


def test_an_express_invoice_for_another_clients_payer_is_refused(tenant, other_tenant):
    PayerFactory(tenant=tenant, external_id="K/E")

    response = api_of(other_tenant).post("/api/v1/invoices", item(express=True), format="json")

    assert response.status_code == 400
    assert not Invoice.objects.exists()
    assert Payer.objects.for_tenant(other_tenant).count() == 0


def test_the_service_refuses_a_file_that_is_not_a_pdf_with_a_clear_message(tenant):
    from django.core.exceptions import ValidationError

    from invoices.services import hand_over_invoice

    with pytest.raises(ValidationError) as refused:
        hand_over_invoice(
            tenant=tenant,
            payer=PayerFactory(tenant=tenant),
            number="FV/X/1",
            issue_date="2026-10-01",
            due_date="2026-10-31",
            gross_amount="10.00",
            document=pdf(b"<html>not a pdf</html>", "faktura.html"),
        )

    assert refused.value.message_dict == {
        "document": ["faktura.html is not a PDF; attach the invoice as a PDF file."]
    }
    assert not Invoice.objects.for_tenant(tenant).exists()
