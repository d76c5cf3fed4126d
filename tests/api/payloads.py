"""Request bodies of the API tests: one valid item each, changed per test with keyword arguments."""

from __future__ import annotations

from typing import Any

from tests.factories import valid_nip


def payer_item(n: int = 1, **changes: Any) -> dict[str, Any]:
    return {
        "external_id": f"K/{n}",
        "name": f"Hurtownia {n} Sp. z o.o.",
        "nip": valid_nip(n + 7000),
        "city": "Kraków",
        "phones": [f"60{n % 10_000_000:07d}"],
        "emails": [f"biuro{n}@example.com"],
    } | changes


def invoice_item(n: int = 1, payer_external_id: str = "K/1", **changes: Any) -> dict[str, Any]:
    return {
        "external_id": f"FV/{n}/2026",
        "number": f"FV/{n}/2026",
        "payer_external_id": payer_external_id,
        "issue_date": "2026-10-01",
        "due_date": "2026-10-15",
        "gross_amount": "1230.00",
    } | changes


def results_by_id(response: Any) -> dict[str, dict[str, Any]]:
    return {result["external_id"]: result for result in response.json()["results"]}
