"""Outbox dispatch rate (issue 5, item 6): 10,000 SMS through the real twilio client to a local
fake Twilio server, against the floor: a bare loop of the same client calls to the same server.

    .venv/bin/python bench/dispatch_bench.py [--messages 10000] [--batch 100]

Runs on PostgreSQL (SKIP LOCKED is the production claim): its own database `bench_dispatch` on
the server of BENCH_DATABASE_URL / DATABASE_URL (default 127.0.0.1:5432), created, migrated and
dropped. The floor is measured before and after our run and averaged, so a machine that gets busier
or quieter during the run does not favour either side.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.import_bench import drop_database, figure, recreate_database  # noqa: E402
from dunning.testing.fake_twilio import FakeTwilio  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_dispatch"
OUT = Path(__file__).resolve().parent / "out"
ACCOUNT_SID = "AC" + "be" * 16
AUTH_TOKEN = "bench-auth-token"
FROM = "+48221002030"
TARGET = 0.7


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        sys.exit(f"dispatch_bench: refused: PostgreSQL only, got {parts.scheme or url!r}")
    return urlunsplit(parts._replace(path="/bench_dispatch"))


def setup_django(url: str, fake: FakeTwilio, batch: int) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY")
            or "bench-only-secret-key-not-for-production",
            "VAR_DIR": str(OUT / "var"),
            "LOG_LEVEL": "WARNING",
            "TELEPHONY_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": FROM,
            "TWILIO_API_BASE_URL": fake.base_url,
            "PUBLIC_BASE_URL": "https://monitoring.example.com",
            "OUTBOX_BATCH_SIZE": str(batch),
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def make_messages(count: int) -> list[int]:
    from django.utils import timezone

    from dunning.models import Message
    from tenants.models import Tenant
    from tests.factories import PayerFactory, TenantFactory

    tenant = Tenant.objects.first() or TenantFactory()
    payer = PayerFactory(tenant=tenant)
    now = timezone.now()
    rows = [
        Message(
            tenant=tenant,
            payer=payer,
            channel="sms",
            recipient=f"+4860{index:07d}",
            sender=FROM,
            body=f"Klient: faktura FV/{index}/2026 na 1 230,00 zl czeka na wplate. Konto "
            "PL61 1090 1014 0000 0712 1981 2874. Kontakt: +48 22 100 20 30.",
            due_at=now,
        )
        for index in range(count)
    ]
    return [m.id for m in Message.objects.bulk_create(rows, batch_size=2000)]


def floor(count: int) -> float:
    """The bare client loop: the same calls, nothing else."""
    from dunning.channels.twilio import twilio_client

    client = twilio_client()
    started = time.perf_counter()
    for index in range(count):
        client.messages.create(
            to=f"+4861{index:07d}",
            from_=FROM,
            body=f"Floor {index}: faktura FV/{index}/2026 na 1 230,00 zl czeka na wplate. Konto "
            "PL61 1090 1014 0000 0712 1981 2874. Kontakt: +48 22 100 20 30.",
            status_callback=f"https://monitoring.example.com/webhooks/twilio/status?m={index:032x}",
        )
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile our dispatch run")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = database_url()
    recreate_database(url)
    try:
        with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
            setup_django(url, fake, args.batch)
            run(args, fake)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)


def run(args: argparse.Namespace, fake: FakeTwilio) -> None:
    from django.core.management import call_command
    from django.urls import reverse

    from dunning.models import Message
    from dunning.outbox import dispatch_due

    call_command("migrate", verbosity=0)
    make_messages(args.messages)
    floor(200)  # warm up connections and code paths on both sides
    reverse("twilio:status")  # a running worker has loaded the URLs long before
    before = floor(args.messages)
    accepted_before = len(fake.created("Messages"))
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = dispatch_due(run_seconds=3600)
    ours = args.messages / (time.perf_counter() - started)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    accepted = len(fake.created("Messages")) - accepted_before
    after = floor(args.messages)
    baseline = (before + after) / 2

    sent = Message.objects.filter(status=Message.Status.SENT).count()
    bodies = fake.bodies_sent()
    twice = sum(1 for body, times in bodies.items() if times > 1 and body.startswith("Klient"))
    print(
        f"== dispatch_bench: {args.messages:,} SMS, batch {args.batch}, fake Twilio {fake.base_url}"
    )
    figure(
        "dispatch rate",
        f"{ours:,.0f} messages/s",
        f"bare client loop {baseline:,.0f} messages/s (before {before:,.0f}, after {after:,.0f})",
        f"{ours / baseline:.2f}x",
        f">= {TARGET}x",
        ours / baseline >= TARGET,
    )
    print(
        f"check: sent {sent:,} of {args.messages:,}, provider accepted {accepted:,}, "
        f"bodies accepted twice {twice}, batches {report.batches}"
        + ("" if sent == accepted == args.messages and twice == 0 else "  CHECK FAILED")
    )
    print(f"summary: {ours:,.0f} messages/s = {ours / baseline:.2f}x the bare client loop")


if __name__ == "__main__":
    main()
