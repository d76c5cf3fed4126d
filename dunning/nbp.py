"""The NBP public API client: table-A average exchange rates (kursy średnie).

`GET {NBP_API_URL}/exchangerates/rates/a/{code}/{date}/?format=json` for one day and
`…/{code}/{start}/{end}/?format=json` for a range (at most 367 days per request). A day or range
without a table (weekend, holiday, before publication) answers 404 "Brak danych": that is an empty
result, not an error. Anything else unexpected raises `NbpError` with what went wrong.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings

TIMEOUT_SECONDS = 10
# The API refuses ranges longer than 367 days ("Przekroczony limit 367 dni"): ask for 366 at most.
MAX_RANGE = datetime.timedelta(days=365)


class NbpError(RuntimeError):
    """The NBP API could not be reached or answered something we cannot use."""


@dataclass(frozen=True)
class NbpQuote:
    currency: str
    table_date: datetime.date
    table_number: str
    rate: Decimal


def fetch_table_a(
    *, currency: str, start: datetime.date, end: datetime.date | None = None
) -> list[NbpQuote]:
    """The table-A average rates of `currency` published from `start` to `end` (both included)."""
    end = end or start
    if end < start:
        raise NbpError(f"The range ends ({end}) before it starts ({start}).")
    quotes: list[NbpQuote] = []
    chunk_start = start
    while chunk_start <= end:
        chunk_end = min(end, chunk_start + MAX_RANGE)
        quotes += _fetch(currency.upper(), chunk_start, chunk_end)
        chunk_start = chunk_end + datetime.timedelta(days=1)
    return quotes


def _fetch(currency: str, start: datetime.date, end: datetime.date) -> list[NbpQuote]:
    dates = start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"
    url = f"{settings.NBP_API_URL.rstrip('/')}/exchangerates/rates/a/{currency.lower()}/{dates}/"
    try:
        response = requests.get(
            url,
            params={"format": "json"},
            headers={"Accept": "application/json"},
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        raise NbpError(f"NBP API unreachable ({url}): {error.__class__.__name__}.") from error
    if response.status_code == 404:
        return []  # "Brak danych": no table published in this range
    if response.status_code != 200:
        raise NbpError(
            f"NBP API answered {response.status_code} for {url}: {response.text.strip()[:200]}"
        )
    return _parse(response, currency=currency, url=url)


def _parse(response: requests.Response, *, currency: str, url: str) -> list[NbpQuote]:
    try:
        payload = response.json(parse_float=Decimal)
    except ValueError as error:
        raise NbpError(f"NBP API sent something that is not JSON for {url}.") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("rates"), list):
        raise NbpError(f"NBP API answer for {url} has no list of rates.")
    if payload.get("table") != "A" or str(payload.get("code", "")).upper() != currency:
        raise NbpError(
            f"NBP API answer for {url} is table {payload.get('table')!r} of "
            f"{payload.get('code')!r}, expected table 'A' of {currency!r}."
        )
    quotes = []
    for row in payload["rates"]:
        try:
            rate = Decimal(row["mid"])
            quote = NbpQuote(
                currency=currency,
                table_date=datetime.date.fromisoformat(row["effectiveDate"]),
                table_number=str(row["no"]),
                rate=rate,
            )
        except (KeyError, TypeError, ValueError, InvalidOperation) as error:
            raise NbpError(f"NBP API answer for {url} has a malformed rate: {row!r}.") from error
        if not rate.is_finite() or rate <= 0:
            raise NbpError(f"NBP API answer for {url} has a rate that is not positive: {row!r}.")
        quotes.append(quote)
    return quotes
