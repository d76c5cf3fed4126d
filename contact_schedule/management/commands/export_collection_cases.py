"""`manage.py export_collection_cases --tenant SLUG [--format csv|json] [--new] [--output FILE]`.

Writes the client's collection cases (the hand-over to the collection department) to FILE or
stdout, and stamps them exported; `--new` takes only cases never exported before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contact_schedule.collection_export import FORMATS, cases_of, export_cases
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Export a client's collection cases as CSV or JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", required=True, help="The client's slug.")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--new", action="store_true", help="Only cases never exported.")
        parser.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"tenant: no client with the slug {options['tenant']!r}.")
        output = Path(options["output"]) if options["output"] else None
        if output is not None and not output.parent.is_dir():
            raise CommandError(f"output: the folder {output.parent} does not exist.")
        cases = cases_of(tenant=tenant, only_new=options["new"])
        count = cases.count()
        text = export_cases(tenant=tenant, fmt=options["format"], cases=cases)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"{count} case(s) written to {output}.")
