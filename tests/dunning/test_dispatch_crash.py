"""Crash test (issue 5, item 7): the dispatcher's worker process is SIGKILLed at random moments,
several times, and restarted; the provider still receives every message exactly once.

A real Celery worker (`celery -A config worker -Q messaging -P solo`) runs the dispatcher against
the test database (PostgreSQL: the claim is `FOR UPDATE SKIP LOCKED`) and the fake Twilio server.
Each kill lands while a batch is in flight (after the fake accepted some of its messages), so rows
are left `sending` with the provider holding some of them: the restarted worker must reconcile
them, not resend. The seed is printed; set CRASH_SEED to replay a run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from dunning.models import Message
from dunning.tasks import dispatch_messages
from dunning.testing.fake_twilio import FakeTwilio
from tests.dunning.conftest import TWILIO_SID, TWILIO_TOKEN
from tests.factories import PayerFactory, TenantFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="the crash test needs PostgreSQL (SKIP LOCKED); CI runs it (.ci/run)",
    ),
]
MESSAGES = 500
KILLS = 4
STALE_SECONDS = 5
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as the worker process must reach it."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(fake: FakeTwilio, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "VAR_DIR": str(settings.VAR_DIR),
        "DEBUG": "0",
        "SECRET_KEY": "crash-test-secret-key-not-for-production-0123456789",
        "LOG_LEVEL": "WARNING",
        "TELEPHONY_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM": "+48221002030",
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_HTTP_TIMEOUT": "1",
        "EMAIL_TIMEOUT": "1",
        "OUTBOX_STALE_AFTER_SECONDS": str(STALE_SECONDS),
        "OUTBOX_BATCH_SIZE": "25",
        "OUTBOX_BACKOFF_SECONDS": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "messaging",
        "-P", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
        "-n", f"crash-{time.monotonic_ns()}@localhost",
    ]  # fmt: skip
    output = log.open("a")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def wait_for(condition, *, timeout: float, poke=None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if poke:
            poke()
        time.sleep(0.02)
    return False


def test_sigkilled_dispatcher_workers_still_send_every_message_exactly_once(tmp_path):
    seed = int(os.environ.get("CRASH_SEED") or random.SystemRandom().randrange(10**6))
    chance = random.Random(seed)
    print(f"crash test seed: {seed}")
    tenant = TenantFactory()
    payer = PayerFactory(tenant=tenant)
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            tenant=tenant, payer=payer, channel="sms", recipient=f"+4860{index:07d}",
            sender="+48221002030", body=f"Wiadomość {index}", due_at=now,
        )
        for index in range(MESSAGES)
    )  # fmt: skip
    dispatch_messages.app.control.purge()
    log = tmp_path / "worker.log"

    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN, delay=0.004) as fake:
        accepted = lambda: len(fake.created("Messages"))  # noqa: E731
        for kill in range(KILLS):
            worker = start_worker(fake, log)
            try:
                goal = accepted() + chance.randint(5, 60)
                kicked = [0.0]

                def kick(kicked=kicked):
                    if time.monotonic() - kicked[0] > 1:  # like beat, but every second
                        dispatch_messages.apply_async()
                        kicked[0] = time.monotonic()

                assert wait_for(lambda goal=goal: accepted() >= goal, timeout=90, poke=kick), (
                    f"kill {kill}: the worker sent nothing; see {log}:\n{log.read_text()[-3000:]}"
                )
                time.sleep(chance.uniform(0, 0.08))
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
        assert accepted() < MESSAGES, "every message went before the last kill; kill sooner"

        worker = start_worker(fake, log)
        try:
            done = lambda: not Message.objects.exclude(status=Message.Status.SENT).exists()  # noqa: E731
            last = [0.0]

            def beat():
                if time.monotonic() - last[0] > 1:
                    dispatch_messages.apply_async()
                    last[0] = time.monotonic()

            finished = wait_for(done, timeout=120, poke=beat)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

        assert finished, f"messages left unsent; see the log:\n{log.read_text()[-3000:]}"
        bodies = fake.bodies_sent()
        sids = {r.params["Body"]: r.query["sid"] for r in fake.created("Messages")}

    expected = {f"Wiadomość {index}" for index in range(MESSAGES)}
    assert set(bodies) == expected
    assert [body for body, times in bodies.items() if times != 1] == []
    stored = dict(Message.objects.values_list("body", "provider_sid"))
    assert stored == sids  # each row knows the SID the provider gave its one message
    # The kills hit batches in flight: some rows had to be recovered after a dead worker.
    assert Message.objects.filter(attempts__gt=1).exists()
