"""A real HTTP receiver on 127.0.0.1 for the webhook tests, and an independent signature check.

The receiver is `http.server` in a thread on a random port: it records every request (headers
and exact body bytes) and answers with the statuses a test queues (200 when none is queued).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tenants.models import Membership
from tests.factories import DEFAULT_PASSWORD, MembershipFactory


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: deque = field(default_factory=deque)  # (status, body, extra headers)

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, body, headers or {}))


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.requests.append(Received(self.path, headers, body))
            status, answer, extra = (
                receiver.answers.popleft() if receiver.answers else (200, b"ok", {})
            )
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextlib.contextmanager
def running_receiver() -> Iterator[Receiver]:
    box = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(settings):
    """A listening receiver; private URLs are allowed so endpoints may point at it."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with running_receiver() as box:
        yield box


@pytest.fixture
def production_urls(settings):
    """The production rule: https only, public addresses only."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source text."""
    with translation.override("en"):
        yield


def owner_client_of(tenant) -> Client:
    """An owner's browser session, in English (the language cookie), so messages compare."""
    browser = Client()
    user = MembershipFactory(tenant=tenant, role=Membership.Role.OWNER).user
    assert browser.login(email=user.email, password=DEFAULT_PASSWORD)
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


@pytest.fixture
def owner_client(tenant) -> Client:
    return owner_client_of(tenant)


@pytest.fixture
def other_owner_client(other_tenant) -> Client:
    return owner_client_of(other_tenant)


def verify_signature(*, secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's side of Standard Webhooks, written from the spec, not from our code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [entry.split(",", 1) for entry in headers["webhook-signature"].split(" ")]
    return any(
        version == "v1" and hmac.compare_digest(value, expected) for version, value in offered
    )
