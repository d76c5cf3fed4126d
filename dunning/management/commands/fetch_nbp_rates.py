"""`manage.py fetch_nbp_rates [--date D | --from D --to D] [--currency EUR]`: store NBP rates.

Without dates: the last 10 days, as beat does daily. A re-run stores the same rows once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dunning import services
from dunning.nbp import NbpError
from dunning.tasks import WARSAW

BAD_INPUT = 2


def parse_date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: {value!r} is not a date in the form YYYY-MM-DD.", returncode=BAD_INPUT
        ) from None


class Command(BaseCommand):
    help = "Fetch NBP table-A average exchange rates and store them."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.print_usage = lambda file=None: None  # argparse errors stay one line
        return parser

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="One day.")
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="First day.")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="Last day.")
        parser.add_argument("--currency", default="EUR", help="ISO code (default EUR).")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = self._range(options)
        currency = options["currency"].upper()
        if len(currency) != 3 or not currency.isalpha():
            raise CommandError(f"--currency: {currency!r} is not an ISO code.", returncode=2)
        try:
            stored = services.fetch_nbp_rates(currency=currency, start=start, end=end)
        except NbpError as error:
            raise CommandError(str(error)) from None
        span = f"on {start}" if start == end else f"from {start} to {end}"
        if not stored:
            raise CommandError(
                f"NBP published no table A for {currency} {span} (weekend, holiday, "
                "or not published yet)."
            )
        self.stdout.write(f"Stored {len(stored)} {currency} rate(s) {span}:")
        for row in stored:
            self.stdout.write(f"  {row.table_date}  {row.table_number}  {row.rate}")

    def _range(self, options: dict[str, Any]) -> tuple[datetime.date, datetime.date]:
        if options["date"] and (options["start"] or options["end"]):
            raise CommandError("Give either --date or --from/--to, not both.", returncode=2)
        if options["date"]:
            day = parse_date(options["date"], "--date")
            return day, day
        if bool(options["start"]) != bool(options["end"]):
            raise CommandError("--from and --to go together.", returncode=BAD_INPUT)
        if options["start"]:
            start, end = parse_date(options["start"], "--from"), parse_date(options["end"], "--to")
            if end < start:
                raise CommandError(f"--to {end} is before --from {start}.", returncode=BAD_INPUT)
            return start, end
        today = datetime.datetime.now(WARSAW).date()
        return today - datetime.timedelta(days=10), today
