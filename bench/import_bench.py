"""Benchmark of the CSV import pipeline on PostgreSQL (issue 3, item 10): one line per figure.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--keep-db] [--profile]

Generates a deterministic ERP export (`feed_csv`) into bench/out/, creates its own database
(`bench_imports` on the server of BENCH_DATABASE_URL or DATABASE_URL, else 127.0.0.1:5432),
and measures in one run: our import end to end in a process of its own (rate, wall time, peak
RSS), the re-import of the unchanged file, the floor (`import_floor`), and django-import-export
on the first 20,000 rows (`import_export_baseline`). A missed target prints MISS; the exit code
stays 0, because a benchmark reports and CI decides nothing on it. `--profile` runs only our
import and re-import, under cProfile, and prints where the time goes. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

from bench.feed_csv import ENCODING, feed_path, write_feed  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_imports"
DATABASE_NAME = "bench_imports"
SEED = 20260101
LIBRARY_ROWS = 20_000
TARGET_RATE = 50_000  # rows/s
TARGET_FLOOR_RATIO = 2.5  # our time / the floor's
TARGET_RSS_MB = 500
TARGET_REIMPORT_SPEEDUP = 2.0  # first import time / re-import time
TARGET_LIBRARY_SPEEDUP = 30.0  # our rate / django-import-export's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoice rows (default 1M)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look")
    parser.add_argument("--profile", action="store_true", help="only profile our two imports")
    parser.add_argument(
        "--ours-only", action="store_true", help="only time our two imports (quick iteration)"
    )
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.child_import:
        return child_import(args.child_import, profile_to=args.profile_to)
    url = database_url()
    OUT.mkdir(parents=True, exist_ok=True)
    path, generated = ensure_feed(args.rows)
    print(header_line(args.rows, path, generated, url), flush=True)
    recreate_database(url)
    shutil.rmtree(OUT / "media", ignore_errors=True)  # the files kept by earlier runs' batches
    try:
        run(args, url, path)
    finally:
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(url)
            shutil.rmtree(OUT / "media", ignore_errors=True)


def run(args: argparse.Namespace, url: str, path: Path) -> None:
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _ours, floor_tenant, library_tenant = make_tenants()
    if args.profile:
        for step in ("first import", "re-import"):
            profile_to = OUT / f"import_{args.rows}_{step.replace(' ', '_')}.pstats"
            result = run_child(url, path, profile_to)
            print(f"== {step} under cProfile: {result['seconds']:.1f} s for {args.rows:,} rows")
            print_profile(profile_to)
        return
    if args.ours_only:
        for step in ("first import", "re-import"):
            result = run_child(url, path)
            print(
                f"{step}: {result['seconds']:.1f} s, CPU {result['cpu_seconds']:.1f} s"
                f" ({args.rows / result['seconds']:,.0f} rows/s,"
                f" peak RSS {result['peak_rss_mb']:,.0f} MB; created {result['created']:,},"
                f" unchanged {result['unchanged']:,}, rejected {result['rejected']:,})"
            )
        return
    floor = measure_floor(url, path, floor_tenant.pk)
    first = run_child(url, path)
    second = run_child(url, path)
    from bench.import_export_baseline import import_with_library

    library_rows = min(LIBRARY_ROWS, args.rows)
    library = import_with_library(path=path, rows=library_rows, tenant=library_tenant)
    report(args.rows, first, second, floor, library)


# --- The database ------------------------------------------------------------------------------


def database_url() -> str:
    """The benchmark's own database on the configured PostgreSQL server; never another one."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        sys.exit(
            f"import_bench: refused: the benchmark runs on PostgreSQL only, and "
            f"BENCH_DATABASE_URL/DATABASE_URL is {parts.scheme or url!r}; set it to a server such "
            f"as {DEFAULT_URL} (the benchmark creates and drops its own database there)"
        )
    if "bench" not in parts.path.lstrip("/"):
        # It drops the database at the end: it must be its own, whatever the URL names.
        parts = parts._replace(path=f"/{DATABASE_NAME}")
    return urlunsplit(parts)


def _connect(url: str, *, maintenance: bool = False):
    import psycopg2

    parts = urlsplit(url)
    return psycopg2.connect(
        dbname="postgres" if maintenance else parts.path.lstrip("/"),
        user=parts.username,
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
    )


def recreate_database(url: str) -> None:
    import psycopg2

    try:
        drop_database(url)
    except psycopg2.OperationalError as error:
        parts = urlsplit(url)
        sys.exit(f"import_bench: cannot reach PostgreSQL at {parts.hostname}:{parts.port}: {error}")
    connection = _connect(url, maintenance=True)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{urlsplit(url).path.lstrip("/")}"')
    connection.close()


def drop_database(url: str) -> None:
    connection = _connect(url, maintenance=True)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
    connection.close()


def checkpoint(url: str) -> None:
    """Write out dirty pages before a timed step, so that it does not pay for the one before."""
    connection = _connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    connection.close()


def child_environment(url: str) -> dict[str, str]:
    """Settings for a production-like process whose files stay in bench/out/."""
    return os.environ | {
        "DATABASE_URL": url,
        "DEBUG": "0",  # DEBUG would log every query
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-not-for-production",
        "VAR_DIR": str(OUT / "var"),
        "MEDIA_ROOT": str(OUT / "media"),
        "LOG_LEVEL": "WARNING",
    }


def setup_django(url: str) -> None:
    os.environ.update(child_environment(url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def make_tenants():
    """One client for our import, one for the floor, one for django-import-export."""
    from tenants.models import Tenant

    clients = (("ours", "5260250274"), ("floor", "7010002139"), ("library", "5252344078"))
    return [
        Tenant.objects.create(name=f"Bench {slug}", slug=f"bench-{slug}", nip=nip)
        for slug, nip in clients
    ]


# --- The measured steps ------------------------------------------------------------------------


def ensure_feed(rows: int) -> tuple[Path, float | None]:
    """The export with `rows` rows, generated once per size (seconds taken, None when reused)."""
    path = feed_path(OUT, rows=rows, seed=SEED)
    if path.exists():
        return path, None
    started = time.perf_counter()
    write_feed(path, rows=rows, seed=SEED)
    return path, time.perf_counter() - started


def measure_floor(url: str, path: Path, tenant_id: int) -> dict:
    from bench.import_floor import create_floor_tables, load_floor

    connection = _connect(url)
    try:
        create_floor_tables(connection)
        checkpoint(url)
        return load_floor(connection, path=path, tenant_id=tenant_id)
    finally:
        connection.close()


def run_child(url: str, path: Path, profile_to: Path | None = None) -> dict:
    """Our import of `path` in a fresh process (so its peak RSS is its own); what it reported."""
    from django.db import connections

    connections.close_all()
    checkpoint(url)
    command = [sys.executable, str(Path(__file__).resolve()), "--child-import", str(path)]
    if profile_to:
        command += ["--profile-to", str(profile_to)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"import_bench: our import failed (exit {done.returncode}), see above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_import(path: Path, *, profile_to: Path | None) -> None:
    """In the child: create_batch + process_batch of the whole file, then print JSON results."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from imports.models import ImportBatch
    from imports.processing import process_batch
    from imports.services import create_batch
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug="bench-ours")
    with path.open("rb") as stream:
        tenth = max(1, (sum(1 for _line in stream) - 1) // 10)
    progress: list[tuple[int, float]] = []  # (rows done, when) at every tenth of the file

    def note(rows: int) -> None:
        if rows // tenth > len(progress):
            progress.append((rows, time.perf_counter()))

    rss_before = memory_mb("VmRSS")
    profiler = cProfile.Profile() if profile_to else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    with path.open("rb") as stream:
        batch = create_batch(
            tenant=tenant,
            uploaded=stream,
            original_name=path.name,
            channel=ImportBatch.Channel.CLI,
            enqueue=False,
        )
    batch = process_batch(batch=batch, on_progress=note)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_to)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,  # this process's CPU; no database
        "status": batch.status,
        "rows": batch.rows_total,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "rejected": batch.rejected_count,
        "summary": batch.summary,
        "rss_before_mb": rss_before,
        "peak_rss_mb": memory_mb("VmHWM"),
        "tenths": tenth_rates(progress, started),
    }
    print(json.dumps(result))


def tenth_rates(progress: list[tuple[int, float]], started: float) -> list[float]:
    """Rows/s over each stretch between two progress notes; the first includes create_batch."""
    rates, before = [], (0, started)
    for rows, at in progress:
        rates.append((rows - before[0]) / max(at - before[1], 1e-9))
        before = (rows, at)
    return rates


def memory_mb(name: str) -> float:
    """VmHWM (peak resident set) or VmRSS of this process, in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_profile(profile_to: Path) -> None:
    stats = pstats.Stats(str(profile_to), stream=sys.stdout)
    ours = r"/(imports|invoices|payers|tenants)/|models/query|sql/compiler|phonenumbers|dataclasses"
    stats.sort_stats("cumulative").print_stats(ours, 45)
    stats.sort_stats("tottime").print_stats(20)
    print(f"full profile: {profile_to} (python -m pstats {profile_to.name})")


# --- The report --------------------------------------------------------------------------------


def figure(name: str, value: str, baseline: str, ratio: str, target: str, ok: bool | None) -> bool:
    verdict = "INFO" if ok is None else "PASS" if ok else "MISS"
    print(f"{name}: {value} (baseline: {baseline}, ratio: {ratio}, target: {target}) {verdict}")
    return bool(ok)


def report(rows: int, first: dict, second: dict, floor: dict, library: dict) -> None:
    check(first, created=rows, what="first import")
    check(second, unchanged=rows, what="re-import")
    if floor["invoices"] != rows:
        print(f"check: the floor wrote {floor['invoices']:,} invoices, not {rows:,}  CHECK FAILED")
    if library["problem_count"] or library["invoices_created"] != library["rows"]:
        print(
            f"check: django-import-export created {library['invoices_created']:,} of "
            f"{library['rows']:,} invoices, {library['problem_count']} errors "
            f"{library['problems']}  CHECK FAILED"
        )
    rate = rows / first["seconds"]
    floor_rate = rows / floor["seconds"]
    floor_ratio = first["seconds"] / floor["seconds"]
    reimport = first["seconds"] / second["seconds"]
    library_rate = library["rows"] / library["seconds"]
    speedup = rate / library_rate
    results = {
        "import rate": figure(
            "import rate",
            f"{rate:,.0f} rows/s ({rows:,} rows in {first['seconds']:.1f} s)",
            f"floor {floor_rate:,.0f} rows/s",
            f"{rate / floor_rate:.2f} of the floor",
            f"≥ {TARGET_RATE:,} rows/s",
            rate >= TARGET_RATE,
        ),
        "time vs floor": figure(
            "import time vs floor",
            f"{first['seconds']:.1f} s",
            f"floor {floor['seconds']:.1f} s",
            f"{floor_ratio:.1f}× the floor",
            f"≤ {TARGET_FLOOR_RATIO}× the floor",
            floor_ratio <= TARGET_FLOOR_RATIO,
        ),
        "peak RSS": figure(
            "peak RSS of the import process",
            f"{first['peak_rss_mb']:,.0f} MB",
            f"{first['rss_before_mb']:,.0f} MB after django.setup",
            f"{first['peak_rss_mb'] / first['rss_before_mb']:.1f}× that",
            f"≤ {TARGET_RSS_MB} MB",
            first["peak_rss_mb"] <= TARGET_RSS_MB,
        ),
        "re-import": figure(
            "re-import of the unchanged file",
            f"{second['seconds']:.1f} s ({rows / second['seconds']:,.0f} rows/s, "
            f"peak RSS {second['peak_rss_mb']:,.0f} MB)",
            f"first import {first['seconds']:.1f} s",
            f"{reimport:.2f}× faster",
            f"≥ {TARGET_REIMPORT_SPEEDUP:g}× faster",
            reimport >= TARGET_REIMPORT_SPEEDUP,
        ),
        "speed-up over django-import-export": figure(
            "speed-up over django-import-export",
            f"{speedup:.1f}×",
            f"django-import-export {library_rate:,.0f} rows/s on the first {library['rows']:,} "
            f"rows ({library['payer_seconds']:.1f} s payers + "
            f"{library['invoice_seconds']:.1f} s invoices)",
            f"ours {rate:,.0f} / {library_rate:,.0f} rows/s",
            f"≥ {TARGET_LIBRARY_SPEEDUP:g}×",
            speedup >= TARGET_LIBRARY_SPEEDUP,
        ),
    }
    figure(
        "floor rate",
        f"{floor_rate:,.0f} rows/s ({floor['seconds']:.1f} s; {floor['payers']:,} payers, "
        f"{floor['contacts']:,} contacts, {floor['invoices']:,} invoices)",
        f"our import {rate:,.0f} rows/s",
        f"{floor_rate / rate:.1f}× ours",
        "none (the floor is a baseline)",
        None,
    )
    for what, result in (("import", first), ("re-import", second)):
        tenths = result["tenths"]
        figure(
            f"{what} rate by tenth of the file",
            ", ".join(f"{rate:,.0f}" for rate in tenths) + " rows/s",
            f"first tenth {tenths[0]:,.0f} rows/s",
            f"last tenth {tenths[-1] / tenths[0]:.2f}× the first",
            "none (shows whether the rate holds as the tables grow)",
            None,
        )
    figure(
        "CPU time of our import processes",
        f"first {first['cpu_seconds']:.1f} s, re-import {second['cpu_seconds']:.1f} s",
        f"their wall time {first['seconds']:.1f} s and {second['seconds']:.1f} s",
        f"{first['cpu_seconds'] / first['seconds']:.0%} and "
        f"{second['cpu_seconds'] / second['seconds']:.0%} of it in our Python process",
        "none (steadier than wall time on a busy machine; the rest is PostgreSQL and waiting)",
        None,
    )
    print(f"load average at the end: {', '.join(f'{load:.1f}' for load in os.getloadavg())}")
    missed = [name for name, ok in results.items() if not ok]
    print(
        f"summary: {rows:,} rows: {len(results) - len(missed)} of {len(results)} targets PASS"
        + (f"; MISS: {', '.join(missed)}" if missed else "")
    )


def check(result: dict, *, what: str, created: int = 0, unchanged: int = 0) -> None:
    counts = {key: result[key] for key in ("created", "updated", "unchanged", "rejected")}
    expected = {"created": created, "updated": 0, "unchanged": unchanged, "rejected": 0}
    ok = result["status"] == "done" and counts == expected
    line = ", ".join(f"{key} {value:,}" for key, value in counts.items())
    print(f"check: {what}: {result['status']}, {line}" + ("" if ok else "  CHECK FAILED"))
    if not ok:
        print("  " + result["summary"].replace("\n", "\n  "))


def header_line(rows: int, path: Path, generated: float | None, url: str) -> str:
    made = f"generated in {generated:.1f} s" if generated is not None else "reused"
    parts = urlsplit(url)
    return (
        f"import_bench: N = {rows:,} invoice rows for {max(1, rows // 5):,} payers; "
        f"{path.relative_to(ROOT)} ({path.stat().st_size / 1e6:,.0f} MB {ENCODING}, {made}); "
        f"database {parts.path.lstrip('/')} on {parts.hostname}:{parts.port or 5432}; "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
