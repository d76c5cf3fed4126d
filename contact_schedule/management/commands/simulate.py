"""`manage.py simulate --tenant SLUG --start YYYY-MM-DD --days N [--seed S] [--json] [rates]`.

Runs the real planner and outcome services day by day on the client's ledger with simulated
payers, inside a transaction that is rolled back: the ledger is unchanged afterwards
(`contact_schedule.simulation`). Prints a day-by-day timeline and totals, or with `--json` one
JSON object per planned contact and a final totals object. A progress bar goes to stderr.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, fields
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contact_schedule.simulation import Behaviour, DaySummary, PlannedContact, simulate
from tenants.models import Tenant

MAX_DAYS = 3650
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Simulate the contact schedule on a client's ledger; nothing is kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", required=True, help="The client's slug.")
        parser.add_argument("--start", metavar="YYYY-MM-DD", required=True)
        parser.add_argument("--days", type=int, default=120)
        parser.add_argument("--seed", type=int, default=None, help="Same seed, same run.")
        parser.add_argument("--json", action="store_true", help="JSON lines instead of text.")
        for rate in fields(Behaviour):
            parser.add_argument(
                f"--{rate.name.replace('_', '-')}", type=float, default=rate.default, metavar="P"
            )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"tenant: no client with the slug {options['tenant']!r}.")
        try:
            start = datetime.date.fromisoformat(options["start"])
        except ValueError as error:
            raise CommandError(
                f"start: {options['start']!r} is not a date in the form YYYY-MM-DD."
            ) from error
        days = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"days: give between 1 and {MAX_DAYS} days, not {days}.")
        behaviour = Behaviour(**{rate.name: options[rate.name] for rate in fields(Behaviour)})
        if behaviour.errors():
            raise CommandError("; ".join(behaviour.errors()) + ".")
        self.as_json, self.start, self.days = options["json"], start, days
        totals = simulate(
            tenant=tenant,
            start=start,
            days=days,
            behaviour=behaviour,
            seed=options["seed"],
            on_contact=self._contact,
            on_day=self._day,
        )
        self.stderr.write("")  # end the progress bar's line
        if self.as_json:
            self.stdout.write(json.dumps({"totals": totals.as_dict()}, ensure_ascii=False))
        else:
            self.stdout.write(self.style.MIGRATE_HEADING(f"Totals for {tenant.slug}"))
            for key, value in totals.as_dict().items():
                self.stdout.write(f"  {key}: {value}")

    def _contact(self, contact: PlannedContact) -> None:
        if self.as_json:
            record = asdict(contact)
            record["date"] = contact.date.isoformat()
            self.stdout.write(json.dumps(record, ensure_ascii=False))

    def _day(self, summary: DaySummary) -> None:
        done = (summary.day - self.start).days + 1
        filled = BAR_WIDTH * done // self.days
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{self.days} {summary.day}",
            ending="",
        )
        self.stderr.flush()
        if self.as_json:
            return
        channels = ", ".join(f"{ch} {n}" for ch, n in sorted(summary.contacts.items())) or "-"
        self.stdout.write(
            f"{summary.day} {summary.day:%a}  contacts {sum(summary.contacts.values())} "
            f"({channels})  paid {summary.payments} ({summary.collected} zł)  "
            f"promises {summary.promises} (kept {summary.promises_kept}, broken "
            f"{summary.promises_broken})  disputes {summary.disputes}  escalated {summary.cases}"
        )
