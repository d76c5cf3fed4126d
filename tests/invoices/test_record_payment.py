"""record_payment: a payer's money settles the named invoice, then the oldest due first."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoices.models import Invoice, Payment, PaymentAllocation
from invoices.services import record_payment
from tests.factories import InvoiceFactory, PayerFactory

PAID_ON = datetime.date(2026, 10, 20)


def pay(payer, amount: str, **kwargs) -> Payment:
    return record_payment(
        tenant=payer.tenant, payer=payer, amount=Decimal(amount), paid_on=PAID_ON, **kwargs
    )


def invoice(payer, gross: str = "1230.00", due: datetime.date | None = None, **kwargs) -> Invoice:
    due = due or datetime.date(2026, 10, 15)
    return InvoiceFactory(
        payer=payer,
        gross_amount=Decimal(gross),
        issue_date=due - datetime.timedelta(days=14),
        due_date=due,
        **kwargs,
    )


def allocated(payment: Payment) -> Decimal:
    return sum((a.amount for a in payment.allocations.all()), Decimal("0.00"))


def test_a_full_payment_marks_the_invoice_paid_on_the_payment_date(payer):
    settled = invoice(payer, "1230.00")

    pay(payer, "1230.00")

    settled.refresh_from_db()
    assert settled.status == Invoice.Status.PAID
    assert settled.outstanding_amount == Decimal("0.00")
    assert settled.paid_on == PAID_ON


def test_a_partial_payment_reduces_what_is_outstanding(payer):
    partly = invoice(payer, "1230.00")

    pay(payer, "230.00")

    partly.refresh_from_db()
    assert partly.status == Invoice.Status.PARTIALLY_PAID
    assert partly.outstanding_amount == Decimal("1000.00")
    assert partly.paid_on is None


def test_a_payment_without_an_invoice_settles_the_oldest_due_first(payer):
    middle = invoice(payer, "100.00", due=datetime.date(2026, 10, 15))
    newest = invoice(payer, "100.00", due=datetime.date(2026, 11, 1))
    oldest = invoice(payer, "100.00", due=datetime.date(2026, 10, 1))

    payment = pay(payer, "150.00")

    for each in (oldest, middle, newest):
        each.refresh_from_db()
    assert (oldest.status, oldest.outstanding_amount) == ("paid", Decimal("0.00"))
    assert (middle.status, middle.outstanding_amount) == ("partially_paid", Decimal("50.00"))
    assert (newest.status, newest.outstanding_amount) == ("open", Decimal("100.00"))
    assert allocated(payment) == Decimal("150.00")


def test_an_overpayment_leaves_the_remainder_unallocated(payer):
    first = invoice(payer, "100.00", due=datetime.date(2026, 10, 1))
    second = invoice(payer, "200.00", due=datetime.date(2026, 10, 15))

    payment = pay(payer, "500.00")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.outstanding_amount == second.outstanding_amount == Decimal("0.00")
    assert first.status == second.status == Invoice.Status.PAID
    assert allocated(payment) == Decimal("300.00") < payment.amount


def test_the_invoice_named_in_the_transfer_is_settled_first(payer):
    older = invoice(payer, "100.00", due=datetime.date(2026, 10, 1))
    named = invoice(payer, "300.00", due=datetime.date(2026, 11, 1))

    payment = pay(payer, "300.00", invoice=named)

    older.refresh_from_db()
    named.refresh_from_db()
    assert named.status == Invoice.Status.PAID
    assert (older.status, older.outstanding_amount) == ("open", Decimal("100.00"))
    assert [a.invoice_id for a in payment.allocations.all()] == [named.id]


def test_a_payment_with_the_same_external_id_is_booked_once(payer):
    partly = invoice(payer, "1000.00")

    first = pay(payer, "100.00", external_id="MT940/2026/10/20/7")
    again = pay(payer, "100.00", external_id="MT940/2026/10/20/7")

    partly.refresh_from_db()
    assert again.pk == first.pk
    assert Payment.objects.for_tenant(payer.tenant).count() == 1
    assert PaymentAllocation.objects.for_tenant(payer.tenant).count() == 1
    assert partly.outstanding_amount == Decimal("900.00")


def test_a_payment_for_another_clients_payer_is_refused(tenant, other_tenant):
    foreign_payer = PayerFactory(tenant=other_tenant)
    untouched = invoice(foreign_payer, "100.00")

    with pytest.raises(ValidationError) as error:
        record_payment(
            tenant=tenant, payer=foreign_payer, amount=Decimal("100.00"), paid_on=PAID_ON
        )

    assert "payer" in error.value.message_dict
    untouched.refresh_from_db()
    assert untouched.outstanding_amount == Decimal("100.00")
    assert not Payment.objects.filter(payer=foreign_payer).exists()


def test_a_disputed_invoice_stays_disputed_until_paid_in_full(payer):
    disputed = invoice(payer, "1000.00", status=Invoice.Status.DISPUTED)

    pay(payer, "400.00")
    disputed.refresh_from_db()
    assert (disputed.status, disputed.outstanding_amount) == ("disputed", Decimal("600.00"))

    pay(payer, "600.00")
    disputed.refresh_from_db()
    assert (disputed.status, disputed.outstanding_amount) == ("paid", Decimal("0.00"))
    assert disputed.paid_on == PAID_ON


def test_a_cancelled_invoice_gets_no_allocation(payer):
    cancelled = invoice(
        payer, "100.00", due=datetime.date(2026, 9, 1), status=Invoice.Status.CANCELLED
    )
    open_one = invoice(payer, "100.00", due=datetime.date(2026, 10, 1))

    payment = pay(payer, "150.00")

    cancelled.refresh_from_db()
    open_one.refresh_from_db()
    assert (cancelled.status, cancelled.outstanding_amount) == ("cancelled", Decimal("100.00"))
    assert open_one.status == Invoice.Status.PAID
    assert [a.invoice_id for a in payment.allocations.all()] == [open_one.id]
