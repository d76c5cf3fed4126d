"""Express single-invoice monitoring: a handed-over invoice is planned at once, not at night.

The ledger announces the hand-over (`invoices.signals.invoice_handed_over`, it never imports this
app); after the hand-over commits, a Celery task plans the invoice's payer for today with the
express schedule (the operator's `ScheduleTemplate` of purpose "single", counted from the
hand-over day: see `planner`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from invoices.signals import invoice_handed_over


def on_invoice_handed_over(
    *, tenant_id: int, invoice_id: int, express: bool, **_kwargs: Any
) -> None:
    if not express:
        return  # the nightly plan takes programme invoices
    from contact_schedule.tasks import plan_express_invoice

    transaction.on_commit(lambda: plan_express_invoice.delay(tenant_id, invoice_id))


def connect() -> None:
    invoice_handed_over.connect(on_invoice_handed_over, dispatch_uid="contact_schedule.express")
