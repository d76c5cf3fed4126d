"""`manage.py import_feed --tenant SLUG [--format F] [--mapping NAME] [--snapshot] FILE…`.

Imports the files now, in this process (not on the queue) with a progress bar, prints each batch's
summary and the first rejected rows, and exits with status 1 when any row was rejected (2 when a
file or the column mapping was refused). CSV/XLSX files are read with the client's saved mapping
NAME, else its default one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from imports.column_mappings import mapping_for_import
from imports.models import ImportBatch
from imports.processing import process_batch
from imports.selectors import row_errors_of
from imports.services import create_batch
from tenants.models import Tenant

FIRST_ERRORS = 10


class Command(BaseCommand):
    help = "Import data-feed files (CSV, XLSX, JSON Lines, KSeF, MT940, camt.053) for one client."

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--tenant", required=True, help="The client's slug.")
        parser.add_argument("--format", choices=ImportBatch.Format.values, help="Default: detect.")
        parser.add_argument(
            "--mapping", metavar="NAME", help="The client's saved column mapping (CSV, XLSX)."
        )
        parser.add_argument(
            "--snapshot", action="store_true", help="A full snapshot of the open invoices."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"tenant: no client with the slug {options['tenant']!r}.")
        missing = [str(path) for path in options["files"] if not path.is_file()]
        if missing:
            raise CommandError(f"FILE: not found: {', '.join(missing)}")
        if options["mapping"]:
            try:
                mapping_for_import(
                    tenant=tenant, name=options["mapping"], file_format=ImportBatch.Format.CSV
                )
            except ValidationError as error:
                self.stdout.write(f"mapping: {' '.join(error.messages)}")
                sys.exit(2)
        worst = 0
        for path in options["files"]:
            try:
                with path.open("rb") as stream:
                    batch = create_batch(
                        tenant=tenant,
                        uploaded=stream,
                        original_name=path.name,
                        file_format=options["format"],
                        snapshot=options["snapshot"],
                        mapping_name=options["mapping"],
                        channel=ImportBatch.Channel.CLI,
                        enqueue=False,
                    )
            except ValidationError as error:
                self.stdout.write(f"{path.name}: refused: {' '.join(error.messages)}")
                worst = 2
                continue
            batch = process_batch(batch=batch, on_progress=self._progress_bar(path.name))
            self._print_summary(batch)
            if batch.status != ImportBatch.Status.DONE:
                worst = 2
            elif batch.rejected_count:
                worst = max(worst, 1)
        if worst:
            sys.exit(worst)

    def _progress_bar(self, name: str):
        interactive = self.stdout.isatty()

        def show(rows: int) -> None:
            if interactive:
                self.stdout.write(f"\r{name}: {rows:,} rows read", ending="")
                self.stdout.flush()

        return show

    def _print_summary(self, batch: ImportBatch) -> None:
        if self.stdout.isatty():
            self.stdout.write("")
        self.stdout.write(
            f"{batch.original_name} [{batch.get_format_display()}] — batch #{batch.pk}: "
            f"{batch.get_status_display()}"
        )
        self.stdout.write(
            f"  rows {batch.rows_total:,} · created {batch.created_count:,} · updated "
            f"{batch.updated_count:,} · unchanged {batch.unchanged_count:,} · rejected "
            f"{batch.rejected_count:,}"
        )
        if batch.summary:
            self.stdout.write("  " + batch.summary.replace("\n", "\n  "))
        for error in row_errors_of(tenant=batch.tenant, batch=batch)[:FIRST_ERRORS]:
            where = f"line {error.line}" + (f", {error.field}" if error.field else "")
            value = f" (value: {error.value})" if error.value else ""
            self.stdout.write(f"  {where}: {error.message}{value}")
