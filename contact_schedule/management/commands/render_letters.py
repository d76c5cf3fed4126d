"""`render_letters --tenant <slug> --date <YYYY-MM-DD> [--queue]`: a day's payment demands and
interest notes, with a progress bar and a summary; each letter is stored once (a rerun renders
nothing new).

By default the letters render here, one after the other. With `--queue` they go to the documents
queue (one task per letter, in parallel across the workers) and the bar follows the batch.
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from contact_schedule.letters import render_day_letters
from dunning.models import LetterBatch
from tenants.models import Tenant

BAR_WIDTH = 30
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = "Render a client's letters (payment demands, interest notes) of one day."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tenant", required=True, help="The client's slug.")
        parser.add_argument("--date", required=True, help="The day, YYYY-MM-DD.")
        parser.add_argument(
            "--queue", action="store_true", help="Render on the documents queue (workers)."
        )
        parser.add_argument(
            "--timeout", type=float, default=3600, help="With --queue: seconds to wait at most."
        )

    def handle(self, *args, **options) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No client with the slug {options['tenant']!r}.")
        try:
            day = datetime.date.fromisoformat(options["date"])
        except ValueError as error:
            raise CommandError(f"--date {options['date']!r}: expected YYYY-MM-DD.") from error
        batch = render_day_letters(
            tenant=tenant, day=day, enqueue=options["queue"], on_progress=self._show
        )
        if options["queue"]:
            batch = self._follow(batch, timeout=options["timeout"])
        self._summary(batch)
        if batch.failed:
            raise CommandError(f"{batch.failed} letter(s) not rendered; reasons above.")

    def _show(self, batch: LetterBatch) -> None:
        total = max(batch.total, 1)
        filled = round(BAR_WIDTH * batch.done / total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {batch.done}/{batch.total}", ending="")
        self.stdout.flush()

    def _follow(self, batch: LetterBatch, *, timeout: float) -> LetterBatch:
        deadline = time.monotonic() + timeout
        while True:
            batch.refresh_from_db()
            self._show(batch)
            if batch.is_finished:
                return batch
            if time.monotonic() > deadline:
                raise CommandError(
                    f"\nBatch #{batch.pk}: {batch.done}/{batch.total} after {timeout:g} s; is a "
                    "worker consuming the documents queue?"
                )
            time.sleep(POLL_SECONDS)

    def _summary(self, batch: LetterBatch) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"{batch.tenant.name}, letters of {batch.day} (batch #{batch.pk}): {batch.total} "
            f"letters · rendered {batch.rendered} · rendered before {batch.already_rendered} · "
            f"failed {batch.failed}"
        )
        for error in batch.errors:
            self.stdout.write(f"  payer {error['payer_id']} ({error['kind']}): {error['error']}")
