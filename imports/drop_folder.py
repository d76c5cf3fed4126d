"""Clients' drop folders: the nightly files picked up at each client's import hour.

Under `settings.DROP_FOLDER_ROOT`, one folder per client, named by its slug:

    <slug>/incoming    the client's ERP writes its files here (e.g. over SFTP)
    <slug>/processing  a file moved here (os.replace, atomic) is taken: no other scan sees it
    <slug>/done        its batch was created (the batch keeps its own copy in media)
    <slug>/refused     not an import file (format not recognised, not a regular file)

A file still being written waits for the next scan: hidden names (".x"), ".part" and ".tmp", and
files modified in the last minute. Symlinks are never followed, and the path is derived from the
slug and checked to stay under the root, so a scan reads nothing outside its client's folder.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from imports.models import ImportBatch, ImportSettings
from imports.services import create_batch
from tenants.models import Tenant
from tenants.selectors import ACCESSIBLE_STATUSES

logger = logging.getLogger(__name__)

QUIET_SECONDS = 60  # a file modified more recently may still be uploading
PARTIAL_SUFFIXES = (".part", ".tmp")
MAX_NAME = 200  # of the original name kept in processing/ and done/ (file names stop at 255)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # SlugField's alphabet: never "..", "/" or empty


class DropFolderError(RuntimeError):
    """The client's drop folder is not where it must be (outside the root, or a symlink)."""


@dataclass(frozen=True)
class DropFolder:
    folder: Path  # DROP_FOLDER_ROOT/<slug>, resolved

    @property
    def incoming(self) -> Path:
        return self.folder / "incoming"

    @property
    def processing(self) -> Path:
        return self.folder / "processing"

    @property
    def done(self) -> Path:
        return self.folder / "done"

    @property
    def refused(self) -> Path:
        return self.folder / "refused"


def drop_folder_of(tenant: Tenant) -> DropFolder:
    """DROP_FOLDER_ROOT/<slug>; raises DropFolderError unless that is a folder right under root."""
    root = Path(settings.DROP_FOLDER_ROOT).resolve()
    folder = root / tenant.slug
    if not SLUG.fullmatch(tenant.slug) or folder.parent != root or folder.name != tenant.slug:
        raise DropFolderError(f"the slug {tenant.slug!r} does not name a folder under {root}")
    return DropFolder(folder=folder)


def import_settings_of(*, tenant: Tenant) -> ImportSettings:
    """The client's import settings; the defaults (unsaved) when none were set."""
    return ImportSettings.objects.for_tenant(tenant).first() or ImportSettings(tenant=tenant)


def import_window(
    *, import_settings: ImportSettings, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """Today's import hour of the client, [start, end) in UTC.

    The hour's first occurrence in the client's zone: when clocks go back it is not taken twice,
    and when they skip it (02:00 on the spring change) it runs at the hour that follows.
    """
    zone = import_settings.tenant.zone
    local_day = timezone.localtime(now, zone).date()
    local_start = datetime.datetime.combine(
        local_day, datetime.time(import_settings.import_hour), tzinfo=zone
    )
    start = local_start.astimezone(datetime.UTC)
    return start, start + datetime.timedelta(hours=1)


def enabled_drop_folders(*, tenant: Tenant | None = None) -> QuerySet[ImportSettings]:
    """The settings of the working clients whose drop folder is picked up (or of `tenant`)."""
    enabled = ImportSettings.objects.filter(
        drop_folder_enabled=True, tenant__status__in=ACCESSIBLE_STATUSES
    )
    if tenant is not None:
        enabled = enabled.for_tenant(tenant)
    return enabled.select_related("tenant").order_by("tenant__slug")


def scan_drop_folders(
    *,
    now: datetime.datetime | None = None,
    tenant: Tenant | None = None,
    whatever_the_hour: bool = False,
) -> list[ImportBatch]:
    """Scan each enabled drop folder whose import hour it is and that was not scanned since.

    Beat runs this every quarter hour; the conditional update claims a client's scan, so of
    several runs (or workers) in its import hour exactly one scans. `whatever_the_hour` scans
    every enabled folder now (`manage.py scan_drop_folders --now`).
    """
    now = now or timezone.now()
    batches: list[ImportBatch] = []
    for import_settings in enabled_drop_folders(tenant=tenant):
        if not whatever_the_hour and not _claim_nightly_scan(import_settings, now):
            continue
        try:
            batches += scan_drop_folder(tenant=import_settings.tenant, now=now)
        except (DropFolderError, OSError):  # one broken folder must not stop the others
            logger.exception("Drop folder of %s could not be scanned", import_settings.tenant)
    return batches


def _claim_nightly_scan(import_settings: ImportSettings, now: datetime.datetime) -> bool:
    """In the client's import hour, the first caller claims today's scan (conditional update)."""
    start, end = import_window(import_settings=import_settings, now=now)
    if not start <= now < end:
        return False
    claimed = (
        ImportSettings.objects.for_tenant(import_settings.tenant)
        .filter(Q(last_drop_scan_at__isnull=True) | Q(last_drop_scan_at__lt=start))
        .update(last_drop_scan_at=now)
    )
    return bool(claimed)


def scan_drop_folder(*, tenant: Tenant, now: datetime.datetime | None = None) -> list[ImportBatch]:
    """Take every finished file of the client's incoming folder and queue it as a batch.

    Nightly files are full snapshots when the client's settings say so; CSV/XLSX files are read
    with its default column mapping. Returns the batches made, in file-name order.
    """
    now = now or timezone.now()
    import_settings = import_settings_of(tenant=tenant)
    folder = drop_folder_of(tenant)
    _prepare(folder)
    ImportSettings.objects.for_tenant(tenant).update(last_drop_scan_at=now)
    leftovers = [entry.name for entry in folder.processing.iterdir()]
    if leftovers:
        logger.warning(
            "Drop folder of %s: %d file(s) left in processing/ by an interrupted scan: %s",
            tenant.slug,
            len(leftovers),
            ", ".join(sorted(leftovers)[:10]),
        )
    with os.scandir(folder.incoming) as entries:
        ready = sorted(
            (entry for entry in entries if _is_ready(entry, now)), key=lambda entry: entry.name
        )
    batches = []
    for entry in ready:
        taken = _take(entry, folder, now)
        if taken is None:
            continue
        batch = _import(taken, _display_name(entry.name), tenant, import_settings, folder)
        if batch is not None:
            batches.append(batch)
    return batches


def _prepare(folder: DropFolder) -> None:
    """Create the client's folders; refuse any of them that is a symlink (it could lead out).

    Each is checked before anything is made inside it, so nothing is created through a symlink.
    """
    for path in (folder.folder, folder.incoming, folder.processing, folder.done, folder.refused):
        path.mkdir(parents=path == folder.folder, exist_ok=True)
        if path.resolve() != path:
            raise DropFolderError(f"{path} is a symlink or lies outside {folder.folder.parent}")


def _is_ready(entry: os.DirEntry, now: datetime.datetime) -> bool:
    """A regular file (no symlink) that has not been written to for a minute."""
    if entry.name.startswith(".") or entry.name.lower().endswith(PARTIAL_SUFFIXES):
        return False
    if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
        return False
    modified = entry.stat(follow_symlinks=False).st_mtime
    return modified <= now.timestamp() - QUIET_SECONDS


def _take(entry: os.DirEntry, folder: DropFolder, now: datetime.datetime) -> Path | None:
    """Move the file into processing/ under a unique name; None when another scan took it."""
    unique = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}-{entry.name[-MAX_NAME:]}"
    target = folder.processing / unique
    try:
        os.replace(entry.path, target)
    except FileNotFoundError:
        return None
    return target


def _import(
    path: Path,
    original_name: str,
    tenant: Tenant,
    import_settings: ImportSettings,
    folder: DropFolder,
) -> ImportBatch | None:
    """Queue the taken file as a batch and move it to done/ (or refused/)."""
    try:
        stream = _open_regular_file(path)
    except OSError as error:
        return _refuse(path, original_name, str(error), tenant, folder)
    with stream:
        try:
            batch = create_batch(
                tenant=tenant,
                uploaded=stream,
                original_name=original_name,
                channel=ImportBatch.Channel.DROP_FOLDER,
                snapshot=import_settings.snapshot_mode,
            )
        except ValidationError as error:
            return _refuse(path, original_name, " ".join(error.messages), tenant, folder)
        except Exception:  # noqa: BLE001 - one broken file must not stop the others
            logger.exception("Drop folder of %s: %s failed; left in processing/", tenant.slug, path)
            return None
    os.replace(path, folder.done / path.name)
    return batch


def _refuse(
    path: Path, original_name: str, reason: str, tenant: Tenant, folder: DropFolder
) -> None:
    logger.warning("Drop folder of %s: %s refused: %s", tenant.slug, original_name, reason)
    os.replace(path, folder.refused / path.name)


def _open_regular_file(path: Path) -> BinaryIO:
    """Open without following a symlink (one swapped in after the check) or blocking on a FIFO."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(f"{path.name} is not a regular file")
    return os.fdopen(descriptor, "rb")


def _display_name(name: str) -> str:
    """The file name as text; bytes that are not UTF-8 (a cp1250 name) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
