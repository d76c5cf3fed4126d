"""With DEBUG off, `check --deploy` leaves only what the TLS-terminating proxy provides."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def deploy_check(**extra_env: str) -> set[str]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k7#Yq9!vX2mR8pL4wZ6tN1sB3dF5hJ0gC-only-for-this-test-9aQ",
        **extra_env,
    }
    # Set for the browser tests only; a deployment never has it (check --deploy flags it).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return set(re.findall(r"\((\w+\.[WE]\d+)\)", result.stdout + result.stderr))


PUBLIC = {"PUBLIC_BASE_URL": "https://monitoring.example.pl"}


def test_only_proxy_provided_warnings_remain_by_default():
    assert deploy_check(**PUBLIC) == {"security.W004", "security.W008"}


def test_clean_when_the_app_redirects_and_sends_hsts_itself():
    hsts = {"SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_PRELOAD": "1"}
    assert deploy_check(SECURE_SSL_REDIRECT="1", **hsts, **PUBLIC) == set()


def test_a_local_or_plain_http_stamp_address_is_flagged():
    assert "stamps.W001" in deploy_check()
    assert "stamps.W001" in deploy_check(PUBLIC_BASE_URL="http://monitoring.example.pl")
    assert "stamps.W001" in deploy_check(PUBLIC_BASE_URL="https://localhost:8443")
