import datetime

from invoices.models import Invoice
from invoices.selectors import invoices_needing_attention_first, invoices_of
from tests.factories import InvoiceFactory, PayerFactory


def test_unsettled_invoices_come_first_longest_overdue_at_the_top(tenant):
    payer = PayerFactory(tenant=tenant)
    old_paid = InvoiceFactory(
        payer=payer,
        issue_date=datetime.date(2025, 1, 1),
        due_date=datetime.date(2025, 1, 15),
        outstanding_amount=0,
        status=Invoice.Status.PAID,
    )
    recent_open = InvoiceFactory(payer=payer, due_date=datetime.date(2026, 11, 1))
    long_overdue = InvoiceFactory(payer=payer, due_date=datetime.date(2026, 10, 5))

    ordered = list(invoices_needing_attention_first(invoices_of(tenant=tenant)))

    assert ordered == [long_overdue, recent_open, old_paid]
