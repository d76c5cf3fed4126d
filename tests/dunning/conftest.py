"""A loopback stand-in for api.nbp.pl serving hand-written answers in the API's documented format.

Each file in `nbp_responses/` is the JSON body NBP returns for one path (`eur_2024-02-29.json` for
`/exchangerates/rates/a/eur/2024-02-29/`, `eur_2018-05-23_2018-05-30.json` for the range form). The
rates are illustrative values in the real shape, not quotes copied from NBP. Any other path answers
404 "Brak danych", as NBP does for a day without a table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import translation

RESPONSES = Path(__file__).parent / "nbp_responses"
NO_DATA = (404, "text/plain; charset=utf-8", b"404 NotFound - Not Found - Brak danych")


@dataclass
class FakeNbp:
    url: str
    # path → (status, content type, body); overrides the recorded files
    answers: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        if path in self.answers:
            return self.answers[path]
        parts = path.strip("/").split("/")  # exchangerates/rates/a/eur/<date>[/<date>]
        if parts[:3] == ["exchangerates", "rates", "a"] and len(parts) in (5, 6):
            recorded = RESPONSES / ("_".join(parts[3:]) + ".json")
            if recorded.exists():
                return 200, "application/json; charset=utf-8", recorded.read_bytes()
        return NO_DATA


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are compared in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


@pytest.fixture
def nbp_api(settings) -> Iterator[FakeNbp]:
    fake: FakeNbp

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path, _, query = self.path.partition("?")
            fake.requested.append(self.path)
            path = path.removeprefix("/api")
            status, content_type, body = fake.answer(path)
            if query != "format=json":
                status, content_type, body = 400, "text/plain", b"400 BadRequest"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeNbp(url=f"http://127.0.0.1:{server.server_port}/api")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NBP_API_URL = fake.url
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


# --- Communications (issue 5): the real twilio client against a local fake Twilio -----------
TWILIO_SID = "AC" + "1234567890abcdef" * 2
TWILIO_TOKEN = "fake-auth-token-for-tests"
OPERATOR_NUMBER = "+48221002030"
PUBLIC_BASE = "https://monitoring.example.com"


@pytest.fixture
def twilio_settings(settings):
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.TWILIO_FROM = OPERATOR_NUMBER
    settings.TWILIO_CALLER_ID = OPERATOR_NUMBER
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_WEBHOOK_BASE_URL = ""
    settings.PUBLIC_BASE_URL = PUBLIC_BASE
    return settings


@pytest.fixture
def fake_twilio(twilio_settings) -> Iterator:
    """A fake Twilio API on loopback; the outbox's twilio backend talks to it."""
    from dunning.testing.fake_twilio import FakeTwilio

    with FakeTwilio(TWILIO_SID, TWILIO_TOKEN) as server:
        twilio_settings.TELEPHONY_BACKEND = "twilio"
        twilio_settings.TWILIO_API_BASE_URL = server.base_url
        yield server
