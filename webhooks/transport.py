"""One HTTP attempt: POST the signed body, bounded in time and in what we keep of the answer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

# connect, read (seconds): a slow ERP must not hold a worker; the receiver should answer fast and
# do its work afterwards.
TIMEOUT = (5, 10)
EXCERPT_CHARS = 1000
USER_AGENT = "Monitoring-Webhooks/1"


@dataclass(frozen=True)
class AttemptResult:
    status: int | None  # None when no HTTP answer came (refused, timeout, DNS…)
    excerpt: str
    duration_ms: int
    error: str

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(*, url: str, body: bytes, headers: dict[str, str]) -> AttemptResult:
    """POST without following redirects; reads at most a few KB of the response."""
    started = time.monotonic()
    try:
        with requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
            timeout=TIMEOUT,
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(EXCERPT_CHARS * 4, decode_content=True) or b""
            status = response.status_code
    except requests.RequestException as error:
        return AttemptResult(None, "", _elapsed_ms(started), _describe(error))
    excerpt = raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
    error = ""
    if 300 <= status < 400:
        error = "Redirects are not followed; use the final URL."
    elif not 200 <= status < 300:
        error = f"HTTP {status}"
    return AttemptResult(status, excerpt, _elapsed_ms(started), error)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _describe(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return f"Timed out (connect {TIMEOUT[0]} s, read {TIMEOUT[1]} s)."
    if isinstance(error, requests.exceptions.SSLError):
        return f"TLS error: {error}"[:500]
    if isinstance(error, requests.ConnectionError):
        return f"Connection failed: {error}"[:500]
    return f"{type(error).__name__}: {error}"[:500]
