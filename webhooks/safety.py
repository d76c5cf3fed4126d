"""Which URLs we send webhooks to: HTTPS to public addresses only (no SSRF into our network).

A client could otherwise point an endpoint at our own database, metadata service or admin port
and read the answers in the delivery log. The check runs when an endpoint is saved and again
before every attempt (DNS may change in between). With WEBHOOKS_ALLOW_PRIVATE_URLS (default:
DEBUG) plain HTTP and private addresses are allowed, for a receiver on the developer's machine.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

_url_validator = URLValidator(schemes=["http", "https"])


def private_urls_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_URLS", settings.DEBUG))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to; a ValidationError when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(
            _("The host %(host)s could not be found (DNS); check the address.") % {"host": host},
            code="unresolvable",
        ) from error
    return sorted({info[4][0] for info in infos})


def check_url(url: str) -> str:
    """`url` if we may send to it; a ValidationError saying why not otherwise."""
    try:
        _url_validator(url)
    except ValidationError as error:
        raise ValidationError(
            _("Enter a full URL starting with https://."), code="invalid"
        ) from error
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(
            _("Put no user name or password in the URL; check our signature instead."),
            code="credentials",
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise ValidationError(_("The port must be between 1 and 65535."), code="port") from error
    if private_urls_allowed():
        return url
    if parts.scheme != "https":
        raise ValidationError(_("The URL must start with https://."), code="not_https")
    host = parts.hostname or ""
    for address in resolve(host, port):
        if not is_public_address(address):
            raise ValidationError(
                _(
                    "%(host)s resolves to %(address)s, a private or local address; "
                    "webhooks go only to addresses reachable from the internet."
                )
                % {"host": host, "address": address},
                code="private_address",
            )
    return url
