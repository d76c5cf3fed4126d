"""`manage.py plan_contacts --tenant SLUG [--date YYYY-MM-DD]`: plan a client's contacts now.

The same planner beat runs each night; a rerun for a day already planned creates nothing. Prints
how many tasks were created and the day's tasks per channel.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contact_schedule.planner import plan_day
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Plan a client's contact tasks for a day (default: today in the client's time zone)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", metavar="SLUG", required=True, help="The client's slug.")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="The day to plan.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"tenant: no client with the slug {options['tenant']!r}.")
        if tenant.status != Tenant.Status.ACTIVE:
            raise CommandError(
                f"tenant: {tenant.slug!r} is {tenant.get_status_display().lower()}; "
                "contacts are planned only for active clients."
            )
        day = self._day(options["date"]) if options["date"] else None
        result = plan_day(tenant=tenant, day=day)
        self.stdout.write(
            f"{tenant.slug} {result.day.isoformat()}: {result.tasks_created} task(s) created, "
            f"{result.invoices_covered} invoice(s) newly covered."
        )
        for channel, count in result.tasks_by_channel.items():
            self.stdout.write(f"  {channel}: {count}")
        self.stdout.write(f"  total: {sum(result.tasks_by_channel.values())}")

    def _day(self, value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"date: {value!r} is not a date in the form YYYY-MM-DD.") from error
