"""The hand-over file for the collection department: collection cases as CSV or JSON.

One CSV row per (case, invoice) — what a collection system imports — or one JSON object per
case with its payer, invoices and the payer's contact history. Exporting stamps `exported_at`,
so "only new cases" picks up where the last export stopped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contact_schedule.models import CollectionCase, Outcome
from payers.models import PayerContact
from tenants.models import Tenant

FORMATS = ("csv", "json")
CSV_COLUMNS = [
    "case_id",
    "escalated_at",
    "reason",
    "payer_external_id",
    "payer_name",
    "payer_nip",
    "payer_address",
    "payer_phones",
    "payer_emails",
    "invoice_external_id",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "gross_amount",
    "outstanding_amount",
]
# The last outcomes sent along in JSON: enough history for the collector's first call.
HISTORY_LIMIT = 20


def cases_of(*, tenant: Tenant, only_new: bool = False) -> QuerySet[CollectionCase]:
    cases = CollectionCase.objects.for_tenant(tenant).order_by("created_at", "id")
    return cases.filter(exported_at__isnull=True) if only_new else cases


def _contacts(case: CollectionCase, kind: str) -> list[str]:
    contacts = PayerContact.objects.for_tenant(case.tenant).filter(payer=case.payer, kind=kind)
    return [c.value for c in contacts if c.is_usable]


def _address(payer) -> str:
    return ", ".join(
        part for part in (payer.street, f"{payer.postal_code} {payer.city}".strip()) if part
    )


def _invoice_rows(case: CollectionCase) -> Iterable[dict]:
    for invoice in case.invoices.order_by("due_date", "id"):
        yield {
            "invoice_external_id": invoice.external_id,
            "invoice_number": invoice.number,
            "issue_date": invoice.issue_date.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "currency": invoice.currency,
            "gross_amount": str(invoice.gross_amount),
            "outstanding_amount": str(invoice.outstanding_amount),
        }


def _case_head(case: CollectionCase) -> dict:
    payer = case.payer
    return {
        "case_id": case.pk,
        "escalated_at": case.created_at.isoformat(),
        "reason": case.reason,
        "payer_external_id": payer.external_id,
        "payer_name": payer.name,
        "payer_nip": payer.nip,
        "payer_address": _address(payer),
        "payer_phones": _contacts(case, PayerContact.Kind.PHONE),
        "payer_emails": _contacts(case, PayerContact.Kind.EMAIL),
    }


def _history(case: CollectionCase) -> list[dict]:
    outcomes = Outcome.objects.for_tenant(case.tenant).filter(payer=case.payer)[:HISTORY_LIMIT]
    return [
        {
            "at": outcome.created_at.isoformat(),
            "kind": outcome.kind,
            "promised_date": outcome.promised_date.isoformat() if outcome.promised_date else None,
            "promise_state": outcome.promise_state or None,
            "dispute_category": outcome.dispute_category or None,
            "note": outcome.note or outcome.description,
        }
        for outcome in outcomes
    ]


def render_csv(cases: Iterable[CollectionCase]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, delimiter=";")
    writer.writeheader()
    for case in cases:
        head = _case_head(case)
        head["payer_phones"] = " ".join(head["payer_phones"])
        head["payer_emails"] = " ".join(head["payer_emails"])
        for row in _invoice_rows(case):
            writer.writerow({**head, **row})
    return out.getvalue()


def render_json(cases: Iterable[CollectionCase]) -> str:
    document = [
        {**_case_head(case), "invoices": list(_invoice_rows(case)), "history": _history(case)}
        for case in cases
    ]
    return json.dumps(document, ensure_ascii=False, indent=2)


@transaction.atomic
def export_cases(*, tenant: Tenant, fmt: str, cases: QuerySet[CollectionCase] | None = None) -> str:
    """The client's cases (default: all) as `fmt` ("csv" or "json"); stamps them exported."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    chosen = cases if cases is not None else cases_of(tenant=tenant)
    chosen = list(chosen.filter(tenant=tenant).select_related("payer", "tenant"))
    text = render_csv(chosen) if fmt == "csv" else render_json(chosen)
    CollectionCase.objects.filter(pk__in=[case.pk for case in chosen]).update(
        exported_at=timezone.now()
    )
    return text
