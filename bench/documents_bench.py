"""Benchmark of payment-demand rendering (issue 6, item 7): one line per figure.

    .venv/bin/python bench/documents_bench.py [--demands 1000] [--workers N] [--keep-db]

Creates its own PostgreSQL database (`bench_documents`, or the URL's database when its name
contains `bench`, on the server of BENCH_DATABASE_URL or DATABASE_URL, else 127.0.0.1:5432),
migrates it (the seeded interest rates), and generates one client (address, IBAN, an electronic
prevention stamp) with N business payers owing 2, 3 or 4 overdue invoices each (3 on average), one
of them partly paid, and the NBP EUR rates the compensation needs. Then it measures, after a
warm-up render:

- ours, one process: `render_document` for each payer (ledger reads, interest, the compensation
  claim, the Django template, WeasyPrint, SHA-256, the file and its row), pages per second;
- the floor, one process: bare WeasyPrint `HTML(string=…).write_pdf()` of the very same HTML
  strings (kept by a wrapper around our `render_html` as our pipeline makes them);
- both again on all cores (a multiprocessing pool, one database connection per process; ours
  renders the next day's letters, so nothing is skipped as already rendered).

Ours and the floor take turns in rounds of 10 letters (per process), so the load of this shared
machine weighs on both alike.

Ratio = our pages/s ÷ the floor's pages/s; target ≥ 0.8. A missed target prints MISS; the exit
code stays 0 (a benchmark reports, CI decides nothing on it).
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import (  # noqa: E402
    checkpoint,
    drop_database,
    figure,
    recreate_database,
    setup_django,
)
from bench.import_bench import database_url as import_database_url  # noqa: E402

DATABASE_NAME = "bench_documents"
DAY = datetime.date(2026, 12, 4)
TARGET_RATIO = 0.8
SLUG = "bench-documents"
# Letters per round (per process); ours and the floor take turns round by round.
ROUND = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    args = parser.parse_args()
    if args.demands < 1 or args.workers < 1:
        parser.error("need at least one demand and one worker")
    url = database_url()
    parts = urlsplit(url)
    print(
        f"documents_bench: {args.demands:,} payment demands (3 invoices on average), "
        f"{args.workers} worker processes; database {parts.path.lstrip('/')} on "
        f"{parts.hostname}:{parts.port or 5432}; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}",
        flush=True,
    )
    recreate_database(url)
    try:
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        payer_ids = generate(args.demands)
        run(args, url, payer_ids)
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(url)


def database_url() -> str:
    """The URL's own database when its name says `bench` (so concurrent runs can each have one),
    else `bench_documents`: it is dropped at the end, so never a database of other use."""
    parts = urlsplit(import_database_url())  # refuses anything but PostgreSQL
    asked = urlsplit(os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or "")
    name = asked.path.lstrip("/")
    return parts._replace(path=f"/{name if 'bench' in name else DATABASE_NAME}").geturl()


# --- The ledger --------------------------------------------------------------------------------


def generate(demands: int) -> list[int]:
    """One client, `demands` business payers with 2–4 overdue invoices each (3 on average)."""
    from django.db import transaction

    from dunning.models import NbpRate
    from invoices.models import Invoice
    from payers.models import Payer
    from stamps.models import StampDesign
    from stamps.selectors import default_text
    from tenants.models import Tenant

    tenant = Tenant.objects.create(
        name="Hurtownia Żółć i Gęś Sp. z o.o.",
        slug=SLUG,
        nip="5260250274",
        iban="PL61109010140000071219812874",
        street="ul. Świętokrzyska 12",
        postal_code="00-916",
        city="Łódź",
    )
    StampDesign.objects.create(
        tenant=tenant,
        name="Bench",
        width_mm=Decimal("58"),
        height_mm=Decimal("22"),
        text=default_text(tenant=tenant),
    )
    for day, number in (
        (datetime.date(2026, 9, 30), "189/A"),
        (datetime.date(2026, 10, 30), "211/A"),
    ):
        NbpRate.objects.create(currency="EUR", table_date=day, table_number=number, rate="4.2350")
    with transaction.atomic():
        payers = Payer.objects.bulk_create(
            Payer(
                tenant=tenant,
                external_id=f"P{n:05d}",
                name=f"Przedsiębiorstwo Źródło {n} S.A.",
                street=f"ul. Krótka {n % 90 + 1}",
                postal_code="50-001",
                city="Wrocław",
            )
            for n in range(demands)
        )
        invoices = []
        for index, payer in enumerate(payers):
            for k in range(2 + index % 3):  # 2, 3, 4 invoices: 3 on average
                gross = Decimal(1230 * (k + 1) + index % 100)
                due = datetime.date(2026, 10, 5) + datetime.timedelta(days=9 * k + index % 7)
                invoices.append(
                    Invoice(
                        tenant=tenant,
                        payer=payer,
                        external_id=f"F{index}-{k}",
                        number=f"FV/{index}/{k}/2026",
                        issue_date=due - datetime.timedelta(days=14),
                        due_date=due,
                        gross_amount=gross,
                        outstanding_amount=gross / 2 if k == 1 else gross,
                        status="partially_paid" if k == 1 else "open",
                    )
                )
        Invoice.objects.bulk_create(invoices)
    return [payer.pk for payer in payers]


# --- The measured steps ------------------------------------------------------------------------


def render_ours(payer_ids: list[int], day: datetime.date) -> tuple[int, list[str]]:
    """Our pipeline for each payer: the pages rendered and the HTML strings it handed to
    WeasyPrint (kept by a wrapper around `render_html`, for the floor)."""
    from dunning.documents import services
    from payers.models import Payer
    from tenants.models import Tenant

    captured: list[str] = []
    render_html = services.render_html

    def capture(content, template):
        html = render_html(content, template)
        captured.append(html)
        return html

    services.render_html = capture
    try:
        tenant = Tenant.objects.get(slug=SLUG)
        pages = 0
        payers = Payer.objects.for_tenant(tenant).filter(pk__in=payer_ids).order_by("pk")
        for payer in payers:
            document, created = services.render_document(
                tenant=tenant, payer=payer, kind="demand", day=day
            )
            assert created, f"payer {payer.pk}: the letter of {day} existed already"
            pages += document.pages
    finally:
        services.render_html = render_html
    return pages, captured


def render_floor(strings: list[str]) -> int:
    from weasyprint import HTML

    for html in strings:
        HTML(string=html).write_pdf()
    return len(strings)


def _ours_chunk(args: tuple[list[int], str]) -> tuple[int, list[str]]:
    from django.db import connections

    connections.close_all()  # a forked child opens its own connection
    payer_ids, day = args
    return render_ours(payer_ids, datetime.date.fromisoformat(day))


def split(items: list, count: int) -> list[list]:
    return [part for part in (items[i::count] for i in range(count)) if part]


def rounds(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Clock:
    """Wall seconds of one side (ours or the floor), summed over the rounds."""

    def __init__(self) -> None:
        self.wall = 0.0

    def __enter__(self) -> Clock:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall += time.perf_counter() - self._started


def run(args: argparse.Namespace, url: str, payer_ids: list[int]) -> None:
    """Ours and the floor alternate in rounds of the same letters, so a change in the machine's
    load (it is shared) weighs on both sides alike."""
    from django.db import connections

    warm_up, rest = payer_ids[:1], payer_ids[1:]
    _pages, strings = render_ours(warm_up, DAY)  # fonts, templates, imports: paid once
    render_floor(strings)
    checkpoint(url)
    ours, floor, pages = Clock(), Clock(), 0
    for batch in rounds(rest, ROUND):
        with ours:
            batch_pages, strings = render_ours(batch, DAY)
        with floor:
            render_floor(strings)
        pages += batch_pages

    day_two = DAY + datetime.timedelta(days=1)
    render_ours(warm_up, day_two)
    connections.close_all()
    checkpoint(url)
    multi, multi_floor, multi_pages = Clock(), Clock(), 0
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers) as pool:
        for batch in rounds(rest, ROUND * args.workers):
            jobs = [(part, day_two.isoformat()) for part in split(batch, args.workers)]
            with multi:
                results = pool.map(_ours_chunk, jobs)
            with multi_floor:
                pool.map(render_floor, [strings for _pages, strings in results])
            multi_pages += sum(batch_pages for batch_pages, _strings in results)
    report(
        demands=len(rest),
        pages=pages,
        multi_pages=multi_pages,
        ours=ours.wall,
        floor=floor.wall,
        multi=multi.wall,
        multi_floor=multi_floor.wall,
        workers=args.workers,
    )


def report(*, demands, pages, multi_pages, ours, floor, multi, multi_floor, workers) -> None:
    if multi_pages != pages:
        print(f"check: {multi_pages} pages on all cores, {pages} in one process  CHECK FAILED")
    print(f"check: {demands:,} demands, {pages:,} pages ({pages / demands:.2f} a demand)")
    results = [
        figure(
            "pages/s, one process",
            f"{pages / ours:.2f} pages/s ({demands:,} demands in {ours:.1f} s)",
            f"bare WeasyPrint {pages / floor:.2f} pages/s ({floor:.1f} s)",
            f"{floor / ours:.2f}× the floor",
            f"≥ {TARGET_RATIO}× the floor",
            floor / ours >= TARGET_RATIO,
        ),
        figure(
            f"pages/s, all cores ({workers} processes)",
            f"{pages / multi:.2f} pages/s ({multi:.1f} s)",
            f"bare WeasyPrint {pages / multi_floor:.2f} pages/s ({multi_floor:.1f} s)",
            f"{multi_floor / multi:.2f}× the floor",
            f"≥ {TARGET_RATIO}× the floor",
            multi_floor / multi >= TARGET_RATIO,
        ),
    ]
    figure(
        "speed-up on all cores",
        f"{ours / multi:.2f}×",
        f"one process {pages / ours:.2f} pages/s",
        f"{ours / multi:.2f}× with {workers} processes",
        "none (depends on free cores)",
        None,
    )
    print(
        f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
        f"summary: {sum(results)} of {len(results)} targets PASS"
    )


if __name__ == "__main__":
    main()
