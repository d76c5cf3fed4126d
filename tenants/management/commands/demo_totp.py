"""`manage.py demo_totp`: the current TOTP code of the demo staff logins (see seed_demo).

With staff MFA enforced, a person trying the demo as a consultant or account manager needs the
six digits an authenticator app would show; this prints them, computed by allauth itself.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from tenants.demo_data import DEMO_TOTP_SECRET


def current_code(secret: str, now: float) -> tuple[str, int]:
    """The TOTP code for `secret` at `now` (a Unix time) and the seconds it stays valid."""
    period = app_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(secret, int(now) // period))
    return code, period - int(now) % period


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of the demo staff logins."

    def handle(self, *args: Any, **options: Any) -> None:
        code, seconds_left = current_code(DEMO_TOTP_SECRET, time.time())
        self.stdout.write(f"{code}  (changes in {seconds_left} s; secret {DEMO_TOTP_SECRET})")
