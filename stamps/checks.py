"""Deployment check: the stamps' QR codes print PUBLIC_BASE_URL onto paper invoices.

A stamp printed with a localhost or plain-http address cannot be taken back, so `check --deploy`
warns before the first stamp leaves the building.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # noqa: S104 (names, not binds)


@register(Tags.security, deploy=True)
def public_base_url_is_public(app_configs, **kwargs) -> list[Warning]:
    url = urlsplit(settings.PUBLIC_BASE_URL)
    if url.scheme == "https" and (url.hostname or "") not in LOCAL_HOSTS:
        return []
    return [
        Warning(
            f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL!r}: the electronic stamps' QR codes "
            "and short links would point there.",
            hint="Set PUBLIC_BASE_URL to the public https address of the verification page, "
            "e.g. https://monitoring.example.pl",
            id="stamps.W001",
        )
    ]
