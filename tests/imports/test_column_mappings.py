"""A client's saved column mapping reads files with its own headers: by name, or as the default."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook

from imports.column_mappings import save_column_mapping
from imports.models import ColumnMapping, ImportBatch
from imports.services import create_batch
from invoices.models import Invoice
from tests.factories import TenantFactory
from tests.imports.conftest import FEED
from tests.imports.test_import_pages import client_of

OWN_HEADERS = {
    "Dokument nr": "number",
    "Klient kod": "payer_external_id",
    "Nazwa klienta": "payer_name",
    "Wystawiono": "issue_date",
    "Płatne do": "due_date",
    "Kwota całkowita": "gross_amount",
    "Kwota do zapłaty": "outstanding_amount",
}
HEADER = list(OWN_HEADERS)
ROWS = [
    ["A-1/2026", "K1", "Sklep Pod Lipą", "01.10.2026", "15.10.2026", "1230,00", "230,00"],
    ["A-2/2026", "K2", "Bar Mleczny Ewa", "02.10.2026", "16.10.2026", "99,90", "99,90"],
]
UNUSUAL_CSV = "\n".join(";".join(row) for row in [HEADER, *ROWS]).encode("cp1250")


def unusual_xlsx() -> bytes:
    book = Workbook()
    book.active.append(HEADER)
    for row in ROWS:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def mapping_of(tenant, name="Księgowość", **options) -> ColumnMapping:
    return save_column_mapping(tenant=tenant, name=name, mapping=OWN_HEADERS, **options)


def test_a_mapping_naming_an_unknown_field_is_refused_with_that_field(tenant):
    mapping = ColumnMapping(tenant=tenant, name="zła", mapping={"Dokument nr": "numer_faktury"})

    with pytest.raises(ValidationError) as error:
        mapping.full_clean()

    message = " ".join(error.value.message_dict["mapping"])
    assert "numer_faktury" in message and "Dokument nr" in message
    assert "gross_amount" in message  # lists the fields it could have meant


@pytest.mark.parametrize(
    "value", [[], {}, "Dokument nr=number", {"Dokument nr": 1}, {" ": "number"}]
)
def test_a_mapping_that_is_not_headers_to_field_names_is_refused(tenant, value):
    with pytest.raises(ValidationError) as error:
        ColumnMapping(tenant=tenant, name="zła", mapping=value).full_clean()
    assert error.value.message_dict["mapping"]


def test_unusual_headers_are_rejected_without_a_mapping(swiezak, run_import):
    batch = run_import(swiezak, UNUSUAL_CSV, name="naleznosci.csv")

    assert batch.status == ImportBatch.Status.REJECTED
    assert "save a column mapping" in batch.summary
    assert Invoice.objects.for_tenant(swiezak).count() == 0


@pytest.mark.parametrize(
    ("content", "name"), [(UNUSUAL_CSV, "naleznosci.csv"), (unusual_xlsx(), "naleznosci.xlsx")]
)
def test_unusual_headers_are_imported_with_the_named_mapping(swiezak, run_import, content, name):
    mapping = mapping_of(swiezak)

    batch = run_import(swiezak, content, name=name, mapping_name="Księgowość")

    assert (batch.status, batch.created_count, batch.rejected_count) == ("done", 2, 0)
    assert batch.mapping == mapping
    invoice = Invoice.objects.for_tenant(swiezak).get(number="A-1/2026")
    assert (invoice.gross_amount, invoice.outstanding_amount) == (Decimal("1230"), Decimal("230"))
    assert invoice.payer.name == "Sklep Pod Lipą"


def test_the_default_mapping_reads_files_that_name_none(swiezak, run_import):
    default = mapping_of(swiezak, is_default=True)

    batch = run_import(swiezak, UNUSUAL_CSV, name="naleznosci.csv")

    assert (batch.status, batch.created_count, batch.mapping) == ("done", 2, default)


def test_the_default_mapping_is_not_recorded_on_files_without_headers(swiezak, run_import):
    mapping_of(swiezak, is_default=True)

    batch = run_import(swiezak, FEED / "invoices.jsonl")

    assert (batch.status, batch.mapping) == ("done", None)


def test_a_mapping_of_another_client_is_unknown(swiezak, run_import):
    mapping_of(TenantFactory(), is_default=True)

    with pytest.raises(ValidationError) as error:
        run_import(swiezak, UNUSUAL_CSV, name="naleznosci.csv", mapping_name="Księgowość")

    assert 'no column mapping called "Księgowość"' in error.value.message_dict["mapping"][0]


def test_an_unknown_mapping_name_keeps_nothing(swiezak):
    mapping_of(swiezak)

    with pytest.raises(ValidationError) as error:
        create_batch(
            tenant=swiezak,
            uploaded=io.BytesIO(UNUSUAL_CSV),
            original_name="naleznosci.csv",
            channel=ImportBatch.Channel.API,
            mapping_name="Inna",
        )

    assert error.value.message_dict["mapping"] == [
        'There is no column mapping called "Inna"; saved: "Księgowość".'
    ]
    assert ImportBatch.objects.for_tenant(swiezak).count() == 0


def test_a_new_default_replaces_the_old_one(tenant):
    old = mapping_of(tenant, name="stara", is_default=True)

    new = mapping_of(tenant, name="nowa", is_default=True)

    old.refresh_from_db()
    assert (old.is_default, new.is_default) == (False, True)


def test_the_database_holds_at_most_one_default_per_client(tenant, other_tenant):
    ColumnMapping.objects.create(tenant=tenant, name="a", mapping=OWN_HEADERS, is_default=True)
    ColumnMapping.objects.create(
        tenant=other_tenant, name="a", mapping=OWN_HEADERS, is_default=True
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnMapping.objects.create(tenant=tenant, name="b", mapping=OWN_HEADERS, is_default=True)


def test_two_mappings_of_one_client_cannot_share_a_name(tenant):
    mapping_of(tenant, name="ERP")

    with pytest.raises(ValidationError) as error:
        mapping_of(tenant, name="ERP")

    assert error.value.message_dict["name"] == ['A mapping called "ERP" already exists.']


# --- The upload form and the command line ------------------------------------------------------


def test_the_upload_form_offers_the_mappings_and_uses_the_one_chosen(
    swiezak, django_capture_on_commit_callbacks
):
    mapping = mapping_of(swiezak)
    browser = client_of(swiezak)
    assert "Księgowość" in browser.get(reverse("imports:list")).text

    with django_capture_on_commit_callbacks(execute=False):
        upload = SimpleUploadedFile("naleznosci.csv", UNUSUAL_CSV)
        response = browser.post(reverse("imports:list"), {"file": upload, "mapping": mapping.name})

    batch = ImportBatch.objects.for_tenant(swiezak).get()
    assert response.status_code == 302 and batch.mapping == mapping


def test_the_upload_form_shows_an_unknown_mapping_on_its_field(swiezak):
    browser = client_of(swiezak)

    upload = SimpleUploadedFile("naleznosci.csv", UNUSUAL_CSV)
    response = browser.post(reverse("imports:list"), {"file": upload, "mapping": "Inna"})

    assert response.status_code == 200
    (message,) = response.context["form"].errors["mapping"]
    assert "Inna" in message  # the page speaks Polish; the name is what matters
    assert ImportBatch.objects.for_tenant(swiezak).count() == 0


def test_the_command_reads_a_file_with_the_named_mapping(swiezak, tmp_path, capsys):
    mapping_of(swiezak)
    path = tmp_path / "naleznosci.csv"
    path.write_bytes(UNUSUAL_CSV)

    call_command("import_feed", "--tenant", "swiezak", "--mapping", "Księgowość", str(path))

    assert "created 2" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_mapping_with_status_2(swiezak, tmp_path, capsys):
    path = tmp_path / "naleznosci.csv"
    path.write_bytes(UNUSUAL_CSV)

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_feed", "--tenant", "swiezak", "--mapping", "Inna", str(path))

    assert exit_info.value.code == 2
    assert 'no column mapping called "Inna"' in capsys.readouterr().out
    assert ImportBatch.objects.for_tenant(swiezak).count() == 0


# --- The client's mapping page -----------------------------------------------------------------


def test_a_client_saves_a_mapping_one_column_per_line(tenant):
    browser = client_of(tenant)
    lines = "Dokument nr = number\nKwota do zapłaty = outstanding_amount\nUwagi ="

    response = browser.post(
        reverse("imports:mappings"), {"name": "Optima", "columns": lines, "is_default": "on"}
    )

    assert response.status_code == 302
    saved = ColumnMapping.objects.for_tenant(tenant).get()
    assert saved.is_default and saved.mapping == {
        "Dokument nr": "number",
        "Kwota do zapłaty": "outstanding_amount",
        "Uwagi": "",
    }
    assert (
        "Dokument nr = number" in browser.get(reverse("imports:mapping_edit", args=[saved.pk])).text
    )


def test_the_mapping_page_names_an_unknown_field(tenant):
    browser = client_of(tenant)

    response = browser.post(
        reverse("imports:mappings"), {"name": "Optima", "columns": "Dokument nr = numer"}
    )

    assert response.status_code == 200
    assert re.search(r'["„]numer["”]', " ".join(response.context["form"].errors["columns"]))
    assert not ColumnMapping.objects.for_tenant(tenant).exists()


def test_another_clients_mapping_is_not_found(tenant, other_tenant):
    theirs = mapping_of(other_tenant)
    browser = client_of(tenant)

    assert browser.get(reverse("imports:mapping_edit", args=[theirs.pk])).status_code == 404
    assert browser.post(reverse("imports:mapping_delete", args=[theirs.pk])).status_code == 404
    assert ColumnMapping.objects.filter(pk=theirs.pk).exists()
