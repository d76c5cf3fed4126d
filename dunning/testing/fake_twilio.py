"""A local fake of the Twilio REST API subset the outbox uses, for tests and the benchmark.

A threaded `http.server` that speaks what the real `twilio` client sends: create a message
(`POST …/Messages.json`) or a call (`POST …/Calls.json`), fetch one by SID, list them by `To`
(newest first, as Twilio does). It checks the client's Basic auth and records every request, so a
test asserts the exact request the client made. Failures are scripted: `fail_next(status)` answers
the next requests with an error, `lose_next_response()` accepts a message and then drops the
connection (the provider has it, we never learn the SID) — the case the outbox reconciles.

Point the client at it with `client.api.base_url = server.base_url` (TWILIO_API_BASE_URL).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

RESOURCE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>AC\w+)/(?P<kind>Messages|Calls)(?:/(?P<sid>\w+))?\.json$"
)
PREFIX = {"Messages": "SM", "Calls": "CA"}
LIST_KEY = {"Messages": "messages", "Calls": "calls"}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str | list[str]]
    query: dict[str, str | list[str]]
    authorization: str

    @property
    def kind(self) -> str:
        match = RESOURCE.match(self.path)
        return match["kind"] if match else ""


def _flatten(raw: dict[str, list[str]]) -> dict[str, str | list[str]]:
    return {name: values[0] if len(values) == 1 else values for name, values in raw.items()}


@dataclass
class _Script:
    failures: list[tuple[int, int]] = field(default_factory=list)  # (status, twilio code)
    lost_responses: int = 0


class FakeTwilio:
    """Start with `with FakeTwilio(account_sid, auth_token) as server:` (or start()/stop())."""

    def __init__(self, account_sid: str, auth_token: str, *, delay: float = 0.0) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.delay = delay
        self.requests: list[RecordedRequest] = []
        self.resources: dict[str, dict] = {}
        self._order: list[str] = []
        self._script = _Script()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeTwilio:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- scripting and inspection -------------------------------------------------------------
    def fail_next(self, status: int, *, code: int = 0, times: int = 1) -> None:
        with self._lock:
            self._script.failures += [(status, code)] * times

    def lose_next_response(self, times: int = 1) -> None:
        with self._lock:
            self._script.lost_responses += times

    def created(self, kind: str = "Messages") -> list[RecordedRequest]:
        """The create requests (POST) of `kind` that the fake accepted, in order."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.method == "POST" and r.kind == kind and "sid" in r.query
            ]

    def bodies_sent(self) -> Counter:
        """How many times each message body (or call target) was accepted."""
        with self._lock:
            return Counter(
                str(resource.get("body") or resource.get("to"))
                for resource in self.resources.values()
            )

    def set_status(self, sid: str, status: str) -> None:
        with self._lock:
            self.resources[sid]["status"] = status

    # --- the API ------------------------------------------------------------------------------
    def _handle(self, handler: _Handler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if len(raw) < length:
            # The client died mid-request: a real server takes nothing from a truncated request.
            handler.close_connection = True
            return None
        raw_body = raw.decode()
        params = _flatten(parse_qs(raw_body, keep_blank_values=True))
        query = _flatten(parse_qs(url.query, keep_blank_values=True))
        if self.delay:
            time.sleep(self.delay)
        match = RESOURCE.match(url.path)
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if handler.headers.get("Authorization") != expected:
            return handler.reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if not match or match["account"] != self.account_sid:
            return handler.reply(404, {"code": 20404, "message": "Not found", "status": 404})
        with self._lock:
            failure = self._script.failures.pop(0) if self._script.failures else None
        if failure:
            self._record(method, url.path, params, query, handler)
            status, code = failure
            return handler.reply(
                status,
                {"code": code or status, "message": f"Fake error {status}", "status": status},
            )
        kind, sid = match["kind"], match["sid"]
        if method == "POST" and not sid:
            resource = self._create(kind, params)
            self._record(method, url.path, params, {**query, "sid": resource["sid"]}, handler)
            with self._lock:
                lose = self._script.lost_responses > 0
                self._script.lost_responses -= int(lose)
            if lose:
                handler.close_connection = True
                handler.connection.shutdown(2)
                return None
            return handler.reply(201, resource)
        self._record(method, url.path, params, query, handler)
        if method == "GET" and sid:
            with self._lock:
                resource = self.resources.get(sid)
            if resource is None:
                return handler.reply(404, {"code": 20404, "message": "Not found", "status": 404})
            return handler.reply(200, resource)
        if method == "GET":
            return handler.reply(200, self._list(kind, query, url.path))
        return handler.reply(405, {"code": 20004, "message": "Method not allowed", "status": 405})

    def _record(self, method, path, params, query, handler) -> None:
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    method, path, params, query, handler.headers.get("Authorization", "")
                )
            )

    def _create(self, kind: str, params: dict) -> dict:
        sid = PREFIX[kind] + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC), usegmt=True)
        resource = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": params.get("To"),
            "from": params.get("From"),
            "status": "queued",
            "date_created": now,
            "date_updated": now,
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/{kind}/{sid}.json",
        }
        if kind == "Messages":
            body = str(params.get("Body", ""))
            resource |= {
                "body": body,
                "messaging_service_sid": params.get("MessagingServiceSid"),
                "num_segments": "1",
                "direction": "outbound-api",
                "price": None,
                "price_unit": "USD",
                "error_code": None,
                "error_message": None,
                "date_sent": None,
            }
        else:
            resource |= {"direction": "outbound-api", "answered_by": None, "start_time": None}
        with self._lock:
            self.resources[sid] = resource
            self._order.append(sid)
        return resource

    def _list(self, kind: str, query: dict, path: str) -> dict:
        page_size = int(query.get("PageSize") or 50)
        with self._lock:
            found = [
                self.resources[sid]
                for sid in reversed(self._order)
                if sid.startswith(PREFIX[kind])
                and ("To" not in query or self.resources[sid]["to"] == query["To"])
                and ("From" not in query or self.resources[sid]["from"] == query["From"])
            ][:page_size]
        return {
            LIST_KEY[kind]: found,
            "first_page_uri": path,
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "start": 0,
            "end": max(len(found) - 1, 0),
            "uri": path,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client killed mid-request (the crash test does it on purpose) resets its connection.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API: the client reuses connections
    # Headers and body go out in two writes; with Nagle on, the second waits ~40 ms for the
    # client's delayed ACK on every request.
    disable_nagle_algorithm = True
    fake: FakeTwilio

    def do_POST(self) -> None:  # noqa: N802
        self.fake._handle(self, "POST")

    def do_GET(self) -> None:  # noqa: N802
        self.fake._handle(self, "GET")

    def reply(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: the fake records requests instead of logging them
