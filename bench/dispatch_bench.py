"""Outbox dispatch rate (issue 5, item 6): 10,000 SMS through the real twilio client to a local
fake Twilio server, against the floor: a bare loop of the same client calls to the same server.

    .venv/bin/python bench/dispatch_bench.py [--messages 10000] [--batch 100]

Runs on PostgreSQL (SKIP LOCKED is the production claim): its own database `bench_dispatch` on
the server of BENCH_DATABASE_URL / DATABASE_URL (default 127.0.0.1:5432), created, migrated and
dropped. The floor and our dispatcher alternate in ten rounds of a tenth each, so a machine that
gets busier or quieter during the run does not favour either side.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
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
ROUNDS = 10


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
            due_at=now + datetime.timedelta(days=365),  # each round makes its part due
        )
        for index in range(count)
    ]
    return [m.id for m in Message.objects.bulk_create(rows, batch_size=2000)]


def floor(count: int, offset: int = 0) -> None:
    """The bare client loop: the same calls, nothing else."""
    from dunning.channels.twilio import twilio_client

    client = twilio_client()
    for index in range(offset, offset + count):
        client.messages.create(
            to=f"+4861{index:07d}",
            from_=FROM,
            body=f"Floor {index}: faktura FV/{index}/2026 na 1 230,00 zl czeka na wplate. Konto "
            "PL61 1090 1014 0000 0712 1981 2874. Kontakt: +48 22 100 20 30.",
            status_callback=f"https://monitoring.example.com/webhooks/twilio/status?m={index:032x}",
        )


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
    from django.utils import timezone

    from dunning.models import Message
    from dunning.outbox import dispatch_due

    call_command("migrate", verbosity=0)
    ids = make_messages(args.messages)
    floor(200, offset=10**6)  # warm up connections and code paths
    reverse("twilio:status")  # a running worker has loaded the URLs long before
    # Floor and ours alternate in rounds, so a machine that gets busier or quieter during the run
    # weighs on both alike; each round of ours sends the messages made due for it.
    rounds = max(1, min(ROUNDS, args.messages // 100))
    chunk = -(-args.messages // rounds)
    floor_wall = ours_wall = floor_cpu = ours_cpu = 0.0
    batches = 0
    for index in range(rounds):
        part = ids[index * chunk : (index + 1) * chunk]
        wall, cpu = time.perf_counter(), time.process_time()
        floor(len(part), offset=index * chunk)
        floor_wall += time.perf_counter() - wall
        floor_cpu += time.process_time() - cpu
        Message.objects.filter(id__in=part).update(due_at=timezone.now())
        profiler = cProfile.Profile() if args.profile else None
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        batches += dispatch_due(run_seconds=3600).batches
        if profiler:
            profiler.disable()
        ours_wall += time.perf_counter() - wall
        ours_cpu += time.process_time() - cpu
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    ours, baseline = args.messages / ours_wall, args.messages / floor_wall

    sent = Message.objects.filter(status=Message.Status.SENT).count()
    accepted = sum(1 for body in fake.bodies_sent() if body.startswith("Klient"))
    twice = sum(
        1 for body, times in fake.bodies_sent().items() if times > 1 and body.startswith("Klient")
    )
    print(f"== dispatch_bench: {args.messages:,} SMS, batch {args.batch}, {rounds} rounds")
    figure(
        "dispatch rate",
        f"{ours:,.0f} messages/s",
        f"bare client loop {baseline:,.0f} messages/s",
        f"{ours / baseline:.2f}x",
        f">= {TARGET}x",
        ours / baseline >= TARGET,
    )
    figure(
        "CPU per message (this process, fake server included)",
        f"{ours_cpu / args.messages * 1000:.2f} ms",
        f"bare client loop {floor_cpu / args.messages * 1000:.2f} ms",
        f"{floor_cpu / ours_cpu:.2f}x",
        "-",
        None,
    )
    verdict = sent == accepted == args.messages and twice == 0
    print(
        f"check: sent {sent:,} of {args.messages:,}, provider accepted {accepted:,}, "
        f"accepted twice {twice}, batches {batches}" + ("" if verdict else "  CHECK FAILED")
    )
    print(f"summary: {ours:,.0f} messages/s = {ours / baseline:.2f}x the bare client loop")


if __name__ == "__main__":
    main()
