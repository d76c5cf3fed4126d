"""Writes of the data feed: receive a file as a batch (kept, hashed, format detected, queued).

Processing the batch is `imports.processing`; bank credits are `imports.banking`.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from imports.column_mappings import mapping_for_import
from imports.models import ImportBatch
from imports.parsers.base import FileRejected
from imports.parsers.detect import detect_format
from tenants.models import Tenant, User

HEAD_BYTES = 64 * 1024


def _digest(stream: IO[bytes]) -> tuple[str, int, bytes]:
    """sha256, size and the first bytes of a stream, read in chunks; the stream is rewound."""
    digest, size, head = hashlib.sha256(), 0, b""
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size, head


@transaction.atomic
def create_batch(
    *,
    tenant: Tenant,
    uploaded: IO[bytes],
    original_name: str,
    channel: str,
    file_format: str | None = None,
    snapshot: bool = False,
    mapping_name: str | None = None,
    created_by: User | None = None,
    enqueue: bool = True,
) -> ImportBatch:
    """Keep the file, detect its format, and (by default) queue it for processing.

    CSV/XLSX are read with the saved column mapping `mapping_name`, else the client's default.
    Raises ValidationError on `file` (format not recognised) or `mapping` (no mapping of that
    name); nothing is kept then.
    """
    sha256, size, head = _digest(uploaded)
    try:
        file_format = file_format or detect_format(original_name, head)
    except FileRejected as error:
        raise ValidationError({"file": [str(error)]}) from error
    mapping = mapping_for_import(tenant=tenant, name=mapping_name, file_format=file_format)
    batch = ImportBatch(
        tenant=tenant,
        format=file_format,
        original_name=original_name[:255],
        size=size,
        sha256=sha256,
        channel=channel,
        snapshot=snapshot and file_format in ImportBatch.SNAPSHOT_FORMATS,
        mapping=mapping,
        created_by=created_by,
        same_file_as=ImportBatch.objects.for_tenant(tenant)
        .filter(sha256=sha256, status=ImportBatch.Status.DONE)
        .order_by("-id")
        .first(),
    )
    batch.file.save(original_name.rsplit("/", 1)[-1][:100] or "import", File(uploaded), save=False)
    batch.save()
    if enqueue:
        from imports.tasks import process_import_batch

        transaction.on_commit(lambda: process_import_batch.delay(batch.pk))
    return batch
