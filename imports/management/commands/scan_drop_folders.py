"""`manage.py scan_drop_folders [--tenant SLUG] [--now]`: pick up clients' drop folders.

Without `--now` it does what beat does every quarter hour: scans the enabled drop folders whose
import hour it is, once a day. With `--now` it scans them (or the one client's) at once, whatever
the hour. The batches are queued on the imports queue, as beat's are.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from imports.drop_folder import drop_folder_of, enabled_drop_folders, scan_drop_folders
from imports.models import ImportBatch
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Pick up the clients' drop folders (at their import hour, or --now)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", help="Only this client.")
        parser.add_argument(
            "--now", action="store_true", help="Scan now, whatever the clients' import hour."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = self._tenant(options["tenant"]) if options["tenant"] else None
        batches = scan_drop_folders(tenant=tenant, whatever_the_hour=options["now"])
        for batch in batches:
            self.stdout.write(self._line(batch))
        self.stdout.write(f"{len(batches)} file(s) queued for import.")

    def _tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"tenant: no client with the slug {slug!r}.")
        if not enabled_drop_folders(tenant=tenant).exists():
            raise CommandError(
                f"tenant: the drop folder of {slug!r} is not enabled (or the client is not "
                "active); enable it in the admin, Import settings. Its folder would be "
                f"{drop_folder_of(tenant).incoming}."
            )
        return tenant

    def _line(self, batch: ImportBatch) -> str:
        snapshot = ", full snapshot" if batch.snapshot else ""
        return (
            f"{batch.tenant.slug}: {batch.original_name} -> batch #{batch.pk} "
            f"[{batch.get_format_display()}{snapshot}] queued"
        )
