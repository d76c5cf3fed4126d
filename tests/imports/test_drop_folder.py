"""Drop folders: finished files taken once, at the client's import hour, never from outside."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from imports.drop_folder import DropFolderError, drop_folder_of, scan_drop_folder, scan_drop_folders
from imports.models import ImportBatch, ImportSettings
from imports.processing import process_batch
from imports.tasks import scan_drop_folders as scan_drop_folders_task
from invoices.models import Invoice
from tenants.models import Tenant
from tests.factories import TenantFactory
from tests.imports.conftest import BANK, FEED

UTC = datetime.UTC
NIGHT = datetime.datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 02:00 in Warsaw (CET, UTC+1)
LONG_AGO = datetime.datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def drop_root(tmp_path, settings) -> Path:
    settings.DROP_FOLDER_ROOT = tmp_path / "drop"
    return settings.DROP_FOLDER_ROOT


@pytest.fixture
def nightly(swiezak, drop_root) -> ImportSettings:
    """Świeżak's drop folder, picked up at 02:00 Warsaw time."""
    return ImportSettings.objects.create(tenant=swiezak, drop_folder_enabled=True, import_hour=2)


def drop(tenant: Tenant, name: str, content: bytes | Path, modified=LONG_AGO) -> Path:
    """A file the client's ERP wrote into its incoming folder, last modified at `modified`."""
    incoming = drop_folder_of(tenant).incoming
    incoming.mkdir(parents=True, exist_ok=True)
    path = incoming / name
    path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    os.utime(path, (modified.timestamp(), modified.timestamp()))
    return path


def names_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_file_becomes_a_queued_batch_and_moves_to_done(
    swiezak, nightly, django_capture_on_commit_callbacks
):
    drop(swiezak, "naleznosci.csv", FEED / "invoices_erp_cp1250.csv")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        [batch] = scan_drop_folder(tenant=swiezak, now=NIGHT)

    folder = drop_folder_of(swiezak)
    assert (batch.channel, batch.status, batch.original_name) == (
        "drop",
        "queued",
        "naleznosci.csv",
    )
    assert len(queued) == 1
    assert names_in(folder.incoming) == [] and names_in(folder.processing) == []
    [done] = names_in(folder.done)
    assert done.endswith("-naleznosci.csv")
    assert process_batch(batch=batch).created_count == 40
    assert Invoice.objects.for_tenant(swiezak).count() == 40


def test_files_still_being_written_and_symlinks_are_left_alone(swiezak, nightly, tmp_path):
    secret = tmp_path / "another-client.csv"
    secret.write_bytes((FEED / "invoices_erp_cp1250.csv").read_bytes())
    drop(swiezak, ".naleznosci.csv", FEED / "invoices.jsonl")
    drop(swiezak, "naleznosci.csv.part", FEED / "invoices.jsonl")
    drop(swiezak, "naleznosci.TMP", FEED / "invoices.jsonl")
    drop(
        swiezak,
        "young.jsonl",
        FEED / "invoices.jsonl",
        modified=NIGHT - datetime.timedelta(seconds=10),
    )
    (drop_folder_of(swiezak).incoming / "link.csv").symlink_to(secret)
    (drop_folder_of(swiezak).incoming / "subfolder").mkdir()

    assert scan_drop_folder(tenant=swiezak, now=NIGHT) == []

    assert names_in(drop_folder_of(swiezak).incoming) == [
        ".naleznosci.csv", "link.csv", "naleznosci.TMP", "naleznosci.csv.part", "subfolder",
        "young.jsonl",
    ]  # fmt: skip
    assert secret.exists() and ImportBatch.objects.count() == 0


def test_a_young_file_is_taken_once_it_has_been_quiet_for_a_minute(swiezak, nightly):
    drop(swiezak, "young.jsonl", FEED / "invoices.jsonl", modified=NIGHT)

    assert scan_drop_folder(tenant=swiezak, now=NIGHT + datetime.timedelta(seconds=30)) == []
    assert len(scan_drop_folder(tenant=swiezak, now=NIGHT + datetime.timedelta(seconds=61))) == 1


def test_a_second_scan_takes_nothing_twice(swiezak, nightly):
    drop(swiezak, "a.jsonl", FEED / "invoices.jsonl")
    drop(swiezak, "b.csv", FEED / "invoices_erp_cp1250.csv")

    first = scan_drop_folder(tenant=swiezak, now=NIGHT)
    second = scan_drop_folder(tenant=swiezak, now=NIGHT + datetime.timedelta(minutes=15))

    assert [batch.original_name for batch in first] == ["a.jsonl", "b.csv"]
    assert second == []
    assert ImportBatch.objects.for_tenant(swiezak).count() == 2


def test_a_file_left_in_processing_is_not_taken_again(swiezak, nightly):
    folder = drop_folder_of(swiezak)
    folder.processing.mkdir(parents=True)
    (folder.processing / "20261126T010000-abcd-a.jsonl").write_bytes(b"{}")

    assert scan_drop_folder(tenant=swiezak, now=NIGHT) == []
    assert names_in(folder.processing) == ["20261126T010000-abcd-a.jsonl"]


def test_a_file_of_no_known_format_is_moved_to_refused(swiezak, nightly):
    drop(swiezak, "zamowienie.xml", b'<?xml version="1.0"?><Zamowienie nr="7"/>')

    assert scan_drop_folder(tenant=swiezak, now=NIGHT) == []

    folder = drop_folder_of(swiezak)
    assert names_in(folder.incoming) == []
    assert [name.split("-", 2)[-1] for name in names_in(folder.refused)] == ["zamowienie.xml"]


def test_nightly_files_are_snapshots_when_the_client_says_so(swiezak, nightly, run_import):
    run_import(swiezak, FEED / "invoices.jsonl")
    nightly.snapshot_mode = True
    nightly.save()
    lines = (FEED / "invoices.jsonl").read_bytes().splitlines(keepends=True)
    drop(swiezak, "1-naleznosci.jsonl", b"".join(lines[:30]))
    drop(swiezak, "2-wyciag.xml", BANK / "statement_camt053.xml")

    invoices, statement = scan_drop_folder(tenant=swiezak, now=NIGHT)

    assert (invoices.snapshot, statement.snapshot) == (True, False)  # a statement lists no invoice
    summary = process_batch(batch=invoices).summary
    assert summary == "10 open invoices missing from this snapshot were marked paid."
    paid = Invoice.objects.for_tenant(swiezak).filter(status=Invoice.Status.PAID)
    assert paid.count() == 10


def test_without_snapshot_mode_nightly_files_settle_nothing(swiezak, nightly):
    drop(swiezak, "naleznosci.jsonl", FEED / "invoices.jsonl")

    [batch] = scan_drop_folder(tenant=swiezak, now=NIGHT)

    assert batch.snapshot is False


# --- When: the client's import hour, in its time zone, once a day --------------------------------


@pytest.mark.parametrize(
    ("utc_time", "scanned"),
    [
        ("00:59", False),  # 01:59 in Warsaw
        ("01:00", True),  # 02:00
        ("01:45", True),  # 02:45
        ("02:00", False),  # 03:00: the hour has passed
    ],
)
def test_the_folder_is_scanned_in_the_clients_import_hour(swiezak, nightly, utc_time, scanned):
    drop(swiezak, "naleznosci.jsonl", FEED / "invoices.jsonl")
    hour, minute = map(int, utc_time.split(":"))

    batches = scan_drop_folders(now=NIGHT.replace(hour=hour, minute=minute))

    assert len(batches) == (1 if scanned else 0)


def test_the_import_hour_is_the_clients_own_time_zone(db, drop_root):
    new_york = TenantFactory(slug="deli", time_zone="America/New_York")
    ImportSettings.objects.create(tenant=new_york, drop_folder_enabled=True, import_hour=2)
    drop(new_york, "invoices.jsonl", FEED / "invoices.jsonl")

    assert scan_drop_folders(now=NIGHT) == []  # 20:00 in New York
    assert len(scan_drop_folders(now=datetime.datetime(2026, 11, 26, 7, 0, tzinfo=UTC))) == 1


def test_a_folder_is_scanned_once_a_day(swiezak, nightly):
    drop(swiezak, "poniedzialek.jsonl", FEED / "invoices.jsonl")
    assert len(scan_drop_folders(now=NIGHT)) == 1
    drop(swiezak, "spoznialski.jsonl", FEED / "invoices.jsonl")

    assert scan_drop_folders(now=NIGHT + datetime.timedelta(minutes=15)) == []
    assert scan_drop_folders(now=NIGHT + datetime.timedelta(minutes=45)) == []
    next_night = scan_drop_folders(now=NIGHT + datetime.timedelta(days=1))
    assert [batch.original_name for batch in next_night] == ["spoznialski.jsonl"]
    nightly.refresh_from_db()
    assert nightly.last_drop_scan_at == NIGHT + datetime.timedelta(days=1)


def test_a_manual_scan_before_the_hour_does_not_cancel_the_nightly_one(swiezak, nightly):
    scan_drop_folder(tenant=swiezak, now=NIGHT - datetime.timedelta(hours=1))
    drop(swiezak, "naleznosci.jsonl", FEED / "invoices.jsonl")

    assert len(scan_drop_folders(now=NIGHT)) == 1


def test_disabled_folders_and_suspended_clients_are_not_scanned(swiezak, nightly):
    drop(swiezak, "naleznosci.jsonl", FEED / "invoices.jsonl")
    swiezak.status = Tenant.Status.SUSPENDED
    swiezak.save()
    assert scan_drop_folders(now=NIGHT) == []

    swiezak.status = Tenant.Status.ACTIVE
    swiezak.save()
    nightly.drop_folder_enabled = False
    nightly.save()
    assert scan_drop_folders(now=NIGHT, whatever_the_hour=True) == []
    assert names_in(drop_folder_of(swiezak).incoming) == ["naleznosci.jsonl"]


def test_beat_runs_the_scan_every_quarter_hour(settings):
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "imports.tasks.scan_drop_folders"
    ]
    assert entry["schedule"].minute == {0, 15, 30, 45}


def test_the_beat_task_scans_the_folders_whose_hour_it_is(swiezak, nightly):
    from django.utils import timezone

    nightly.import_hour = timezone.localtime(timezone.now(), swiezak.zone).hour
    nightly.save()
    drop(swiezak, "naleznosci.jsonl", FEED / "invoices.jsonl")

    assert scan_drop_folders_task() == 1
    assert scan_drop_folders_task() == 0


# --- The command ---------------------------------------------------------------------------------


def test_the_command_scans_now_whatever_the_hour(swiezak, nightly, capsys):
    drop(swiezak, "naleznosci.jsonl", FEED / "invoices.jsonl")

    call_command("scan_drop_folders", "--tenant", "swiezak", "--now")

    out = capsys.readouterr().out
    assert "swiezak: naleznosci.jsonl -> batch #" in out and "1 file(s) queued" in out


def test_the_command_refuses_a_client_without_a_drop_folder(swiezak, drop_root):
    with pytest.raises(CommandError, match="drop folder of 'swiezak' is not enabled"):
        call_command("scan_drop_folders", "--tenant", "swiezak", "--now")


# --- Never outside the client's own folder -------------------------------------------------------


def test_a_scan_never_reaches_another_clients_folder(swiezak, nightly, drop_root):
    other = TenantFactory(slug="konkurent")
    ImportSettings.objects.create(tenant=other, drop_folder_enabled=True, import_hour=2)
    theirs = drop(other, "ich.jsonl", FEED / "invoices.jsonl")
    drop(swiezak, "nasze.jsonl", FEED / "invoices.jsonl")

    [batch] = scan_drop_folder(tenant=swiezak, now=NIGHT)

    assert batch.original_name == "nasze.jsonl" and theirs.exists()
    for tenant in (swiezak, other):
        folder = drop_folder_of(tenant).folder
        assert folder.parent == drop_root.resolve() and folder.name == tenant.slug


@pytest.mark.parametrize("slug", ["../x", "..", ".", "a/b", ""])
def test_a_slug_that_is_not_a_folder_name_has_no_drop_folder(drop_root, slug):
    with pytest.raises(DropFolderError):
        drop_folder_of(Tenant(slug=slug))


def test_an_incoming_folder_that_is_a_symlink_is_refused(swiezak, nightly, drop_root):
    other = TenantFactory(slug="konkurent")
    theirs = drop(other, "ich.jsonl", FEED / "invoices.jsonl")
    (drop_root / "swiezak").mkdir()
    (drop_root / "swiezak" / "incoming").symlink_to(theirs.parent, target_is_directory=True)

    with pytest.raises(DropFolderError):
        scan_drop_folder(tenant=swiezak, now=NIGHT)

    assert theirs.exists() and ImportBatch.objects.count() == 0


def test_a_broken_folder_does_not_stop_the_other_clients_scans(swiezak, nightly, drop_root):
    other = TenantFactory(slug="konkurent")
    ImportSettings.objects.create(tenant=other, drop_folder_enabled=True, import_hour=2)
    (drop_root / "konkurent").mkdir(parents=True)
    (drop_root / "konkurent" / "incoming").symlink_to(drop_root, target_is_directory=True)
    drop(swiezak, "nasze.jsonl", FEED / "invoices.jsonl")

    batches = scan_drop_folders(now=NIGHT)

    assert [(batch.tenant, batch.original_name) for batch in batches] == [(swiezak, "nasze.jsonl")]
