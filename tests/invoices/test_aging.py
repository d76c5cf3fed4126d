"""Aging buckets, DSO and the daily aging snapshot, on an explicit `today`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoices.models import AgingSnapshot, Invoice
from invoices.selectors import aging_buckets, days_sales_outstanding
from invoices.services import record_payment, snapshot_aging
from tests.factories import InvoiceFactory

TODAY = datetime.date(2026, 12, 31)
ZERO = Decimal("0.00")


def due_days_ago(payer, days: int, outstanding: str = "100.00", **kwargs) -> Invoice:
    due = TODAY - datetime.timedelta(days=days)
    gross = kwargs.pop("gross_amount", Decimal(outstanding))
    return InvoiceFactory(
        payer=payer,
        issue_date=due - datetime.timedelta(days=14),
        due_date=due,
        gross_amount=gross,
        outstanding_amount=Decimal(outstanding),
        **kwargs,
    )


def amounts(tenant) -> dict[str, Decimal]:
    return {b.key: b.amount for b in aging_buckets(tenant=tenant, today=TODAY)}


def counts(tenant) -> dict[str, int]:
    return {b.key: b.count for b in aging_buckets(tenant=tenant, today=TODAY)}


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (-10, "not_due"),
        (0, "not_due"),  # due today is not late yet
        (1, "overdue_1_30"),
        (30, "overdue_1_30"),
        (31, "overdue_31_60"),
        (60, "overdue_31_60"),
        (61, "overdue_61_90"),
        (90, "overdue_61_90"),
        (91, "overdue_90_plus"),
        (400, "overdue_90_plus"),
    ],
)
def test_an_invoice_falls_in_the_bucket_of_its_days_past_due(payer, days_late, bucket):
    due_days_ago(payer, days_late, "123.45")

    expected = dict.fromkeys(amounts(payer.tenant), ZERO) | {bucket: Decimal("123.45")}
    assert amounts(payer.tenant) == expected
    assert counts(payer.tenant)[bucket] == 1


def test_buckets_sum_what_is_outstanding_not_the_gross_amount(payer):
    due_days_ago(payer, 45, "400.00", gross_amount=Decimal("1000.00"), status="partially_paid")
    due_days_ago(payer, 50, "250.00")

    assert amounts(payer.tenant)["overdue_31_60"] == Decimal("650.00")
    assert counts(payer.tenant)["overdue_31_60"] == 2


def test_paid_and_cancelled_invoices_are_not_aged(payer):
    due_days_ago(payer, 45, "0.00", gross_amount=Decimal("700.00"), status="paid")
    due_days_ago(payer, 45, "500.00", status="cancelled")

    assert set(amounts(payer.tenant).values()) == {ZERO}
    assert set(counts(payer.tenant).values()) == {0}


def test_another_clients_invoices_are_not_aged(payer, other_tenant):
    due_days_ago(payer, 10, "100.00")
    InvoiceFactory(payer__tenant=other_tenant, due_date=TODAY, gross_amount=Decimal("999.00"))

    assert sum(amounts(payer.tenant).values()) == Decimal("100.00")


def test_dso_is_what_is_owed_over_what_was_invoiced_in_90_days_times_90(payer):
    def issued(on: datetime.date, gross: str, outstanding: str, status: str) -> Invoice:
        return InvoiceFactory(
            payer=payer, issue_date=on, due_date=on + datetime.timedelta(days=14),
            gross_amount=Decimal(gross), outstanding_amount=Decimal(outstanding), status=status,
        )  # fmt: skip

    issued(datetime.date(2026, 11, 1), "6000.00", "0.00", "paid")
    issued(datetime.date(2026, 12, 1), "4000.00", "2500.00", "partially_paid")
    issued(datetime.date(2026, 12, 10), "9999.00", "9999.00", "cancelled")  # counts nowhere
    issued(datetime.date(2026, 9, 1), "1000.00", "1000.00", "open")  # owed, invoiced before

    # Invoiced in (2026-10-02, 2026-12-31]: 6000 + 4000 = 10000; owed: 2500 + 1000 = 3500.
    # 3500 / 10000 × 90 = 31.5 days.
    assert days_sales_outstanding(tenant=payer.tenant, today=TODAY) == Decimal("31.5")


def test_dso_has_no_value_when_nothing_was_invoiced_in_the_period(payer):
    assert days_sales_outstanding(tenant=payer.tenant, today=TODAY) is None

    InvoiceFactory(payer=payer, issue_date=datetime.date(2026, 1, 5), due_date=TODAY)

    assert days_sales_outstanding(tenant=payer.tenant, today=TODAY) is None


def test_the_daily_snapshot_is_one_row_per_day_updated_on_rerun(payer):
    due_days_ago(payer, 45, "1000.00")
    first = snapshot_aging(tenant=payer.tenant, on=TODAY)
    assert (first.overdue_31_60, first.open_invoices) == (Decimal("1000.00"), 1)

    record_payment(tenant=payer.tenant, payer=payer, amount=Decimal("300.00"), paid_on=TODAY)
    second = snapshot_aging(tenant=payer.tenant, on=TODAY)

    assert second.pk == first.pk
    assert AgingSnapshot.objects.for_tenant(payer.tenant).count() == 1
    stored = AgingSnapshot.objects.for_tenant(payer.tenant).get()
    assert stored.overdue_31_60 == Decimal("700.00")
    assert stored.not_due == stored.overdue_1_30 == stored.overdue_90_plus == ZERO


def test_a_snapshot_on_another_day_is_a_new_row(payer):
    due_days_ago(payer, 45, "1000.00")

    snapshot_aging(tenant=payer.tenant, on=TODAY)
    snapshot_aging(tenant=payer.tenant, on=TODAY + datetime.timedelta(days=1))

    assert AgingSnapshot.objects.for_tenant(payer.tenant).count() == 2
