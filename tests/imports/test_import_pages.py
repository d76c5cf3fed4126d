"""The client's import pages: upload, live status, rejected rows as CSV — only its own batches."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports.models import ImportBatch
from imports.processing import process_batch
from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from tests.imports.conftest import FEED


def client_of(tenant) -> Client:
    browser = Client()
    browser.login(email=MembershipFactory(tenant=tenant).user.email, password=DEFAULT_PASSWORD)
    return browser


def upload(browser: Client, path, **fields):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), **fields}
    return browser.post(reverse("imports:list"), data)


def test_upload_creates_a_queued_batch_and_shows_its_page(
    swiezak, django_capture_on_commit_callbacks
):
    browser = client_of(swiezak)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(browser, FEED / "invoices_erp_cp1250.csv")

    batch = ImportBatch.objects.for_tenant(swiezak).get()
    assert response["Location"] == reverse("imports:detail", args=[batch.pk])
    assert (batch.format, batch.status, batch.channel) == ("csv", "queued", "web")
    assert len(queued) == 1  # the processing task is sent once the upload commits
    page = browser.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content  # the page polls while it runs


def test_finished_batch_shows_counts_and_stops_polling(swiezak):
    browser = client_of(swiezak)
    upload(browser, FEED / "broken_values.csv")
    batch = process_batch(batch=ImportBatch.objects.for_tenant(swiezak).get())

    partial = browser.get(reverse("imports:detail", args=[batch.pk]), HTTP_HX_REQUEST="true")

    assert b"every 1s" not in partial.content
    assert str(batch.rejected_count).encode() in partial.content
    csv_response = browser.get(reverse("imports:errors_csv", args=[batch.pk]))
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == batch.row_errors.count() + 1


def test_an_empty_upload_is_refused_with_a_message(swiezak):
    browser = client_of(swiezak)
    response = browser.post(reverse("imports:list"), {"file": SimpleUploadedFile("empty.csv", b"")})
    assert response.status_code == 200
    assert ImportBatch.objects.for_tenant(swiezak).count() == 0
    assert response.context["form"].errors["file"]


def test_another_clients_batch_and_its_errors_are_not_found(swiezak, other_tenant):
    upload(client_of(swiezak), FEED / "broken_values.csv")
    batch = ImportBatch.objects.for_tenant(swiezak).get()
    intruder = client_of(other_tenant)

    assert intruder.get(reverse("imports:detail", args=[batch.pk])).status_code == 404
    assert intruder.get(reverse("imports:errors_csv", args=[batch.pk])).status_code == 404
    assert batch.original_name.encode() not in intruder.get(reverse("imports:list")).content


def test_a_file_of_no_known_format_is_refused_on_the_form(swiezak):
    response = client_of(swiezak).post(
        reverse("imports:list"), {"file": SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" * 50)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert ImportBatch.objects.for_tenant(swiezak).count() == 0
