"""A client's import settings: its import hour (across clock changes), snapshot mode, the admin."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from imports.drop_folder import import_settings_of, import_window
from imports.models import ColumnMapping, ImportBatch, ImportSettings
from invoices.models import Invoice
from tenants.models import User
from tenants.roles import OperatorRole
from tenants.services import create_operator_user
from tests.factories import DEFAULT_PASSWORD
from tests.imports.conftest import BANK, FEED

UTC = datetime.UTC


def at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def test_a_client_without_settings_gets_the_defaults(tenant):
    defaults = import_settings_of(tenant=tenant)

    assert defaults.pk is None and defaults.import_hour == 2
    assert not defaults.drop_folder_enabled and not defaults.snapshot_mode


def test_the_import_hour_is_an_hour_of_the_day(tenant):
    with pytest.raises(ValidationError) as error:
        ImportSettings(tenant=tenant, import_hour=24).full_clean()
    assert "import_hour" in error.value.message_dict

    with pytest.raises(IntegrityError), transaction.atomic():
        ImportSettings.objects.create(tenant=tenant, import_hour=24)


def test_a_client_has_one_settings_row(tenant):
    ImportSettings.objects.create(tenant=tenant)

    with pytest.raises(IntegrityError), transaction.atomic():
        ImportSettings.objects.create(tenant=tenant, import_hour=5)


# --- The import hour across clock changes (Europe/Warsaw) ---------------------------------------


def test_the_import_hour_follows_the_clients_winter_and_summer_time(tenant):
    nightly = ImportSettings(tenant=tenant, import_hour=2)

    winter = import_window(import_settings=nightly, now=at(2026, 12, 1, 1, 30))
    summer = import_window(import_settings=nightly, now=at(2026, 7, 1, 0, 30))

    assert winter == (at(2026, 12, 1, 1), at(2026, 12, 1, 2))  # 02:00 CET
    assert summer == (at(2026, 7, 1, 0), at(2026, 7, 1, 1))  # 02:00 CEST


def test_when_clocks_skip_the_import_hour_the_scan_runs_in_the_hour_after(tenant):
    nightly = ImportSettings(tenant=tenant, import_hour=2)  # 28 March 2027: 02:00 becomes 03:00

    start, end = import_window(import_settings=nightly, now=at(2027, 3, 28, 1, 15))

    assert (start, end) == (at(2027, 3, 28, 1), at(2027, 3, 28, 2))  # 03:00–04:00 CEST


def test_when_clocks_go_back_the_import_hour_is_taken_once(tenant):
    nightly = ImportSettings(tenant=tenant, import_hour=2)  # 25 October 2026: 02:00–02:59 twice

    first = import_window(import_settings=nightly, now=at(2026, 10, 25, 0, 30))  # 02:30 CEST
    repeated = import_window(import_settings=nightly, now=at(2026, 10, 25, 1, 30))  # 02:30 CET

    assert first == repeated == (at(2026, 10, 25, 0), at(2026, 10, 25, 1))


# --- Snapshot mode never settles what the file did not clearly leave out -------------------------


@pytest.fixture
def ledger(swiezak, run_import):
    run_import(swiezak, FEED / "invoices.jsonl")
    return Invoice.objects.for_tenant(swiezak)


def test_a_snapshot_with_rejected_rows_settles_nothing(swiezak, run_import, ledger):
    lines = (FEED / "invoices.jsonl").read_bytes().splitlines(keepends=True)
    broken = json.loads(lines[30]) | {"gross_amount": "dużo"}
    content = b"".join(lines[:30]) + json.dumps(broken).encode() + b"\n"

    batch = run_import(swiezak, content, name="snapshot.jsonl", snapshot=True)

    assert batch.rejected_count == 1
    assert "No invoice was marked paid by this snapshot: rows were rejected." in batch.summary
    assert not ledger.filter(status=Invoice.Status.PAID).exists()


def test_an_empty_snapshot_settles_nothing(swiezak, run_import, ledger):
    batch = run_import(swiezak, FEED / "header_only.csv", snapshot=True)

    assert "it lists no invoice" in batch.summary
    assert not ledger.filter(status=Invoice.Status.PAID).exists()


@pytest.mark.parametrize("statement", ["statement_camt053.xml", "mbank_mt940.sta"])
def test_a_bank_statement_is_never_a_snapshot(swiezak, run_import, ledger, statement):
    batch = run_import(swiezak, BANK / statement, snapshot=True)

    assert batch.snapshot is False and "snapshot" not in batch.summary
    # Only invoices a booked payment matched are paid, not every one the statement leaves out.
    assert ledger.filter(status=Invoice.Status.PAID).count() <= batch.created_count


# --- Admin for account managers ------------------------------------------------------------------


@pytest.fixture
def manager_client(client, db, settings):
    settings.REQUIRE_STAFF_MFA = False
    manager: User = create_operator_user(
        email="opiekun@example.com",
        role=OperatorRole.ACCOUNT_MANAGER,
        password=DEFAULT_PASSWORD,
        full_name="Ewa Nowak",
    )
    client.force_login(manager)
    return client


def test_an_account_manager_enables_a_drop_folder_and_sees_its_path(
    manager_client, tenant, tmp_path, settings
):
    settings.DROP_FOLDER_ROOT = tmp_path / "drop"
    add = reverse("admin:imports_importsettings_add")

    response = manager_client.post(
        add, {"tenant": tenant.pk, "drop_folder_enabled": "on", "import_hour": 3}
    )

    assert response.status_code == 302
    saved = ImportSettings.objects.for_tenant(tenant).get()
    assert saved.drop_folder_enabled and saved.import_hour == 3
    page = manager_client.get(reverse("admin:imports_importsettings_change", args=[saved.pk]))
    assert str(tmp_path / "drop" / tenant.slug / "incoming") in page.text


def test_the_admin_refuses_a_mapping_to_an_unknown_field(manager_client, tenant):
    add = reverse("admin:imports_columnmapping_add")

    response = manager_client.post(
        add, {"tenant": tenant.pk, "name": "Optima", "mapping": '{"Dokument nr": "nr"}'}
    )

    assert response.status_code == 200
    assert re.search(r'["„]nr["”]', " ".join(response.context["adminform"].form.errors["mapping"]))
    assert not ColumnMapping.objects.exists()


def test_the_admin_refuses_a_second_default_mapping(manager_client, tenant):
    ColumnMapping.objects.create(tenant=tenant, name="A", mapping={"Nr": "number"}, is_default=True)
    add = reverse("admin:imports_columnmapping_add")

    response = manager_client.post(
        add,
        {"tenant": tenant.pk, "name": "B", "mapping": '{"Nr": "number"}', "is_default": "on"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors  # refused on the form, not by a 500
    assert ColumnMapping.objects.for_tenant(tenant).count() == 1


def test_batches_show_the_mapping_they_were_read_with_in_the_admin(manager_client, swiezak):
    mapping = ColumnMapping.objects.create(tenant=swiezak, name="Optima", mapping={"Nr": "number"})
    batch = ImportBatch.objects.create(
        tenant=swiezak, format="csv", original_name="a.csv", sha256="0" * 64, mapping=mapping
    )

    page = manager_client.get(reverse("admin:imports_importbatch_change", args=[batch.pk]))

    assert page.status_code == 200 and "Optima" in page.text
