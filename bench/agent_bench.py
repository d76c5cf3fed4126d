"""Benchmark of the agent screen on PostgreSQL (issue 7): payer card render time, claim latency.

    .venv/bin/python bench/agent_bench.py [--renders 40] [--claimers 50] [--claims-each 10]

Creates its own database (`bench_agent` on the server of BENCH_DATABASE_URL or DATABASE_URL, else
127.0.0.1:5432), migrates it (interest rates, call scripts, the default schedule), then measures:

- the payer card, rendered server-side through the whole Django stack (a consultant's GET of the
  card page: middleware, session, selectors, interest, template) for a payer with 50 open invoices
  and 200 history items (tasks, payments, outcomes, messages); p50 and p95 of N renders after one
  warm-up. Baseline: the selector alone (`payer_card`), so the ratio is the template's share.
- `claim_next_call` with 50 consultants pressing Enter at the same instant, spread over 10
  processes as over web workers (one Python process would measure its own GIL, not the claim):
  10 rounds, each started by a barrier; every claim is timed, then, once all 50 are in, each
  consultant records an outcome (task done, claim released; not timed) and the next round
  starts. Each consultant's connection has served one claim before (as a web worker's has).
  Baseline: one consultant claiming alone; ratio = p95 / lone p50. The target is this p95.
- the same 50 with no think time at all (each claims again the moment its outcome is written),
  for information: that measures throughput, and by Little's law each claim then waits for
  the other 49 claims and outcomes on the machine's cores, whatever the claim costs.

A missed target prints MISS; the exit code stays 0. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_bench import database_url as import_database_url  # noqa: E402
from bench.import_bench import (  # noqa: E402
    drop_database,
    figure,
    recreate_database,
    setup_django,
)

# Its own database (created and dropped); AGENT_BENCH_DB names another for parallel checkouts.
DATABASE_NAME = os.environ.get("AGENT_BENCH_DB", "bench_agent")
TARGET_CARD_MS = 150.0
TARGET_CLAIM_P95_MS = 50.0
INVOICES = 50
HISTORY = 200  # 80 tasks, 50 payments, 40 outcomes, 30 messages
STATIC_PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"


def database_url() -> str:
    parts = urlsplit(import_database_url())
    return parts._replace(path=f"/{DATABASE_NAME}").geturl()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def make_team(*, consultants: int):
    from django.contrib.auth.models import Group

    from tenants.models import Team, Tenant, User
    from tenants.roles import OperatorRole

    tenant = Tenant.objects.create(
        name="Bench Agent Sp. z o.o.", slug="bench-agent", nip="5260250274"
    )
    team = Team.objects.create(name="Bench team")
    team.clients.add(tenant)
    group = Group.objects.get_or_create(name=OperatorRole.CONSULTANT)[0]
    users = User.objects.bulk_create(
        User(email=f"consultant{i}@bench.example", first_name="Konsultant", last_name=str(i))
        for i in range(consultants)
    )
    group.user_set.add(*users)
    team.members.add(*users)
    return tenant, users


def _payer(tenant, n: int):
    from payers.models import Payer, PayerContact

    payer = Payer.objects.create(tenant=tenant, external_id=f"P{n:06d}", name=f"Płatnik {n} S.A.")
    PayerContact.objects.create(
        tenant=tenant, payer=payer, kind="phone", value=f"+4860{n:07d}", is_primary=True
    )
    return payer


def make_heavy_payer(tenant):
    """A payer with 50 open invoices (part-paid ones with allocations) and 200 history items."""
    from contact_schedule.models import ContactTask, Outcome, ScheduleStep
    from dunning.models import Message
    from invoices.models import Invoice, Payment, PaymentAllocation
    from tenants.selectors import tenant_today

    today = tenant_today(tenant)
    payer = _payer(tenant, 0)
    invoices = Invoice.objects.bulk_create(
        Invoice(
            tenant=tenant,
            payer=payer,
            external_id=f"I{i:05d}",
            number=f"FV/{i}/2026",
            issue_date=today - datetime.timedelta(days=30 + i * 3),
            due_date=today - datetime.timedelta(days=16 + i * 3),
            gross_amount=Decimal("1230.00") + i,
            outstanding_amount=Decimal("1230.00") + i - (100 if i % 2 else 0),
            status="partially_paid" if i % 2 else "open",
        )
        for i in range(INVOICES)
    )
    payments = Payment.objects.bulk_create(
        Payment(
            tenant=tenant,
            payer=payer,
            amount=Decimal("100.00"),
            paid_on=today - datetime.timedelta(days=5 + i),
            reference=f"Przelew {i}",
        )
        for i in range(50)
    )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(tenant=tenant, payment=payment, invoice=invoice, amount=Decimal("100"))
        for payment, invoice in zip(payments, invoices[1::2], strict=False)
    )
    step = ScheduleStep.objects.filter(version__template__tenant__isnull=True, channel="call")
    step = step.filter(offset_days__gt=0).first()
    now = datetime.datetime.now(datetime.UTC)
    ContactTask.objects.bulk_create(
        ContactTask(
            tenant=tenant,
            payer=payer,
            planned_date=today - datetime.timedelta(days=1 + i),
            channel="call",
            step=step,
            state="done",
            window_start=now - datetime.timedelta(days=1 + i, hours=2),
            window_end=now - datetime.timedelta(days=1 + i),
        )
        for i in range(80)
    )
    Outcome.objects.bulk_create(
        Outcome(tenant=tenant, payer=payer, kind="note", source="agent", note=f"Notatka {i}")
        for i in range(40)
    )
    Message.objects.bulk_create(
        Message(
            tenant=tenant,
            payer=payer,
            channel="sms",
            recipient="+48600000000",
            body=f"Przypomnienie o płatności {i}",
            status="delivered",
        )
        for i in range(30)
    )
    return payer


def measure_card(tenant, consultant, payer, renders: int) -> tuple[list[float], list[float]]:
    from django.test import Client
    from django.urls import reverse

    from agent.payer_card import payer_card

    client = Client(HTTP_HOST="localhost")  # a production-like process allows named hosts only
    client.force_login(consultant)
    url = reverse("agent:payer", args=[tenant.pk, payer.pk])
    assert client.get(url).status_code == 200  # warm-up (and a check that the page renders)
    pages, selectors = [], []
    for _ in range(renders):
        started = time.perf_counter()
        response = client.get(url)
        pages.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b"FV/49/2026" in response.content
        started = time.perf_counter()
        card = payer_card(tenant=tenant, payer=payer)
        selectors.append((time.perf_counter() - started) * 1000)
        assert len(card.invoices) == INVOICES and len(card.timeline) == HISTORY
    return pages, selectors


def make_queue(tenant, tasks: int) -> None:
    from contact_schedule.models import ContactTask, ContactTaskInvoice, ScheduleStep
    from invoices.models import Invoice
    from payers.models import Payer
    from tenants.selectors import tenant_today

    today = tenant_today(tenant)
    now = datetime.datetime.now(datetime.UTC)
    step = ScheduleStep.objects.filter(
        version__template__tenant__isnull=True, channel="call", offset_days__gt=0
    ).first()
    payers = Payer.objects.bulk_create(
        Payer(tenant=tenant, external_id=f"Q{i:06d}", name=f"Kolejka {i}") for i in range(tasks)
    )
    invoices = Invoice.objects.bulk_create(
        Invoice(
            tenant=tenant,
            payer=payer,
            external_id=f"Q{i:06d}",
            number=f"FV/Q/{i}",
            issue_date=today - datetime.timedelta(days=90),
            due_date=today - datetime.timedelta(days=10 + i % 60),
            gross_amount=Decimal(100 + i),
            outstanding_amount=Decimal(100 + i),
        )
        for i, payer in enumerate(payers)
    )
    created = ContactTask.objects.bulk_create(
        ContactTask(
            tenant=tenant,
            payer=payer,
            planned_date=today,
            channel="call",
            step=step,
            window_start=now - datetime.timedelta(hours=1),
            window_end=now + datetime.timedelta(hours=6),
        )
        for payer in payers
    )
    ContactTaskInvoice.objects.bulk_create(
        ContactTaskInvoice(tenant=tenant, task=task, invoice=invoice, step=step)
        for task, invoice in zip(created, invoices, strict=True)
    )


def analyze() -> None:
    """Planner statistics for the freshly loaded tables, as autovacuum gathers them after a bulk
    load in production: without them PostgreSQL guesses one task per client and day and scans the
    day's whole queue for each claim instead of looking up the ranked candidates by id."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def finish(claim) -> None:
    """End the claim the way a recorded outcome does (task done, claim released)."""
    from django.db import transaction
    from django.utils import timezone

    from agent.models import CallClaim
    from contact_schedule.models import ContactTask

    with transaction.atomic():
        ContactTask.objects.filter(pk=claim.task_id).update(state="done")
        CallClaim.objects.filter(pk=claim.pk).update(
            released_at=timezone.now(), ending="outcome", outcome_kind="refused"
        )


def _claimer_process(user_ids, claims_each, together, barrier, results) -> None:
    """One web-worker-like process: a thread per consultant of `user_ids`, all starting at the
    barrier shared by every process; sends back ((round, latency) pairs, claimed task ids).

    `together`: every round, all the consultants press Enter at the same instant (a barrier
    before the claims, another before the outcomes, which are not timed). Otherwise each one
    claims again as soon as its outcome is written: no think time at all."""
    from django.db import connection

    from agent.services import claim_next_call, release_claim
    from tenants.models import User

    users = list(User.objects.filter(pk__in=user_ids))
    connection.close()
    timings: list[tuple[int, float]] = []
    taken: list[int] = []
    lock = threading.Lock()

    def work(user) -> None:
        try:
            # This consultant's connection has served a press of Enter before, as a web
            # worker's has: the claim function compiled, the team's clients cached.
            release_claim(claim=claim_next_call(consultant=user))
            barrier.wait()
            for round_ in range(claims_each):
                if together and round_:
                    barrier.wait()
                started = time.perf_counter()
                claim = claim_next_call(consultant=user)
                elapsed = (time.perf_counter() - started) * 1000
                if together:
                    barrier.wait()  # every claim of the round is done before any outcome
                if claim is None:
                    break
                with lock:
                    timings.append((round_, elapsed))
                    taken.append(claim.task_id)
                finish(claim)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((timings, taken))


def measure_claims(
    users, claims_each: int, processes: int, *, together: bool
) -> tuple[list[tuple[int, float]], float, int, int]:
    """All consultants claim at once, spread over `processes` processes (as over web workers:
    one Python process would measure its own GIL, not the claim)."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(users))
    results = context.Queue()
    groups = [[user.pk for user in users[i::processes]] for i in range(processes)]
    connections.close_all()  # the children open their own
    children = [
        context.Process(
            target=_claimer_process, args=(group, claims_each, together, barrier, results)
        )
        for group in groups
        if group
    ]
    started = time.perf_counter()
    for child in children:
        child.start()
    timings: list[tuple[int, float]] = []
    taken: list[int] = []
    for _child in children:
        child_timings, child_taken = results.get()
        timings += child_timings
        taken += child_taken
    wall = time.perf_counter() - started  # includes forking and the barrier: a lower bound
    for child in children:
        child.join()
    return timings, wall, len(taken), len(set(taken))


def measure_lone_claims(user, count: int) -> list[float]:
    from agent.services import claim_next_call

    timings = []
    for _ in range(count):
        started = time.perf_counter()
        claim = claim_next_call(consultant=user)
        timings.append((time.perf_counter() - started) * 1000)
        finish(claim)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--claimers", type=int, default=50)
    parser.add_argument("--claims-each", type=int, default=10)
    parser.add_argument(
        "--processes", type=int, default=10, help="processes the claimers are spread over"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    args = parser.parse_args()
    url = database_url()
    parts = urlsplit(url)
    print(
        f"agent_bench: payer card with {INVOICES} invoices and {HISTORY} history items, "
        f"{args.renders} renders; {args.claimers} concurrent claimers x {args.claims_each} in "
        f"{args.processes} processes; "
        f"database {parts.path.lstrip('/')} on {parts.hostname}:{parts.port or 5432}; "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    recreate_database(url)
    os.environ["REQUIRE_STAFF_MFA"] = "0"  # the consultant's session is made with force_login
    try:
        setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        tenant, users = make_team(consultants=args.claimers)
        payer = make_heavy_payer(tenant)
        from django.conf import settings
        from django.test.utils import override_settings

        # No collectstatic for a bench: plain static URLs instead of the manifest's hashed ones.
        plain = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_PLAIN}}
        with override_settings(STORAGES=plain):
            pages, selectors = measure_card(tenant, users[0], payer, args.renders)
        lone_count = 20
        make_queue(tenant, 2 * args.claimers * args.claims_each + lone_count)
        analyze()
        lone = measure_lone_claims(users[0], lone_count)
        together = measure_claims(users, args.claims_each, args.processes, together=True)
        saturated = measure_claims(users, args.claims_each, args.processes, together=False)
        report(pages, selectors, lone, together, saturated, args)
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(url)


def report(pages, selectors, lone, together, saturated, args) -> None:
    page_p50, page_p95 = statistics.median(pages), percentile(pages, 0.95)
    selector_p50 = statistics.median(selectors)
    lone_p50 = statistics.median(lone)
    rounds, _wall, claims, distinct = together
    timings = [ms for _round, ms in rounds]
    claim_p50, claim_p95 = statistics.median(timings), percentile(timings, 0.95)
    results = [
        figure(
            "payer card render p50",
            f"{page_p50:.1f} ms",
            f"selector alone {selector_p50:.1f} ms",
            f"{page_p50 / selector_p50:.2f}x",
            f"< {TARGET_CARD_MS:.0f} ms",
            page_p50 < TARGET_CARD_MS,
        ),
        figure(
            "payer card render p95",
            f"{page_p95:.1f} ms",
            f"target {TARGET_CARD_MS:.0f} ms",
            f"{page_p95 / TARGET_CARD_MS:.2f}",
            f"< {TARGET_CARD_MS:.0f} ms",
            page_p95 < TARGET_CARD_MS,
        ),
    ]
    figure(  # not a target
        f"claim latency p50 ({args.claimers} claiming at once)",
        f"{claim_p50:.1f} ms",
        f"lone claimer p50 {lone_p50:.1f} ms",
        f"{claim_p50 / lone_p50:.2f}x",
        "—",
        None,
    )
    results += [
        figure(
            f"claim latency p95 ({args.claimers} claiming at once)",
            f"{claim_p95:.1f} ms",
            f"lone claimer p50 {lone_p50:.1f} ms",
            f"{claim_p95 / lone_p50:.2f}x",
            f"<= {TARGET_CLAIM_P95_MS:.0f} ms",
            claim_p95 <= TARGET_CLAIM_P95_MS,
        ),
    ]
    burst = [ms for round_, ms in rounds if round_ == 0]
    print(
        f"info: first round p50 {statistics.median(burst):.1f} ms, "
        f"p95 {percentile(burst, 0.95):.1f} ms, max {max(timings):.1f} ms overall"
    )
    # Not a target: with no think time at all, each consultant waits for the other 49 claims and
    # outcomes on the machine's cores (Little's law: latency = claimers / throughput).
    loop_rounds, loop_wall, loop_claims, loop_distinct = saturated
    loop = [ms for _round, ms in loop_rounds]
    print(
        f"info: no think time (each claims again the moment its outcome is written): "
        f"p50 {statistics.median(loop):.1f} ms, p95 {percentile(loop, 0.95):.1f} ms; "
        f"{loop_claims} claims (+ as many outcomes) in {loop_wall:.2f} s = "
        f"{loop_claims / loop_wall:.0f} claims/s on {os.cpu_count()} CPUs"
    )
    expected = args.claimers * args.claims_each
    for name, got, unique in (
        ("at once", claims, distinct),
        ("no think time", loop_claims, loop_distinct),
    ):
        if got != expected or unique != got:
            print(f"check ({name}): {got} claims of {expected}, {unique} distinct  CHECK FAILED")
        else:
            print(f"check ({name}): {got} claims, every task claimed once")
    print(f"summary: {sum(results)} of {len(results)} targets met")


if __name__ == "__main__":
    main()
