"""Statutory interest from the seeded rate table; every expected figure is worked out by hand in the
comment above it (days × base × rate / 365 per period, summed, rounded half-up once)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dunning.interest import (
    Allocation,
    InterestError,
    MissingRate,
    PartialPayment,
    RatePeriod,
    compute_interest,
)
from dunning.models import RateKind
from dunning.selectors import default_rate_kind, invoice_interest, statutory_interest
from payers.models import Payer

D = datetime.date.fromisoformat


def interest(amount: str, due: str, until: str, kind: str = RateKind.COMMERCIAL, **kwargs):
    return statutory_interest(
        amount=Decimal(amount), due_date=D(due), until=D(until), kind=kind, **kwargs
    )


def periods(result) -> list[tuple[str, str, int, str, str]]:
    return [
        (str(line.date_from), str(line.date_to), line.days, str(line.rate), str(line.base))
        for line in result.lines
    ]


@pytest.mark.django_db
def test_commercial_interest_across_three_rate_changes_and_a_leap_year():
    # 10,000.00 due Thu 2023-11-30, paid Fri 2026-02-27; interest from 2023-12-01.
    #   2023-12-01 – 2023-12-31:  31 d × 16.75 %: 10000 × 0.1675 × 31 / 365 =  142.260274
    #   2024-01-01 – 2025-06-30: 547 d × 15.75 % (2024 has 366 days: 366 + 181; the divisor stays
    #                            365):       10000 × 0.1575 × 547 / 365 = 2360.342466
    #   2025-07-01 – 2025-12-31: 184 d × 15.25 %: 10000 × 0.1525 × 184 / 365 =  768.767123
    #   2026-01-01 – 2026-02-27:  58 d × 14.00 %: 10000 × 0.14 × 58 / 365   =  222.465753
    #   sum 3493.835616 → 3493.84
    result = interest("10000.00", "2023-11-30", "2026-02-27")

    assert periods(result) == [
        ("2023-12-01", "2023-12-31", 31, "16.75", "10000.00"),
        ("2024-01-01", "2025-06-30", 547, "15.75", "10000.00"),
        ("2025-07-01", "2025-12-31", 184, "15.25", "10000.00"),
        ("2026-01-01", "2026-02-27", 58, "14.00", "10000.00"),
    ]
    assert [line.interest for line in result.lines] == [
        Decimal("142.26"),
        Decimal("2360.34"),
        Decimal("768.77"),
        Decimal("222.47"),
    ]
    assert result.total_interest == Decimal("3493.84")
    assert result.days_late == 820
    assert result.rates_verified


@pytest.mark.django_db
def test_the_issues_example():
    # 10,000.00 due Fri 2024-03-15, paid 2025-11-20:
    #   2024-03-16 – 2025-06-30: 472 d (291 in 2024 + 181) × 15.75 %: 1575 × 472 / 365 = 2036.712329
    #   2025-07-01 – 2025-11-20: 143 d × 15.25 %:                    1525 × 143 / 365 =  597.465753
    #   sum 2634.178082 → 2634.18
    result = interest("10000.00", "2024-03-15", "2025-11-20")

    assert periods(result) == [
        ("2024-03-16", "2025-06-30", 472, "15.75", "10000.00"),
        ("2025-07-01", "2025-11-20", 143, "15.25", "10000.00"),
    ]
    assert result.total_interest == Decimal("2634.18")


@pytest.mark.django_db
def test_civil_interest_with_a_partial_payment_counted_towards_interest_first():
    # 5,000.00 due Wed 2025-04-30 (consumer, art. 481), 1,000.00 paid 2025-08-01, rest 2025-12-31.
    #   2025-05-01 – 05-07:  7 d × 11.25 %: 5000 × 0.1125 × 7 / 365  = 10.787671
    #   2025-05-08 – 07-02: 56 d × 10.75 %: 5000 × 0.1075 × 56 / 365 = 82.465753
    #   2025-07-03 – 08-01: 30 d × 10.50 %: 5000 × 0.105 × 30 / 365  = 43.150685
    #   interest due on 08-01: 136.404109 → 136.40; the payment: 136.40 to interest, 863.60 to
    #   principal; base from 08-02: 4136.40
    #   2025-08-02 – 09-03: 33 d × 10.50 %: 4136.40 × 0.105 × 33 / 365  = 39.267468
    #   2025-09-04 – 10-08: 35 d × 10.25 %: 4136.40 × 0.1025 × 35 / 365 = 40.655712
    #   2025-10-09 – 11-05: 28 d × 10.00 %: 4136.40 × 0.10 × 28 / 365   = 31.731288
    #   2025-11-06 – 12-03: 28 d ×  9.75 %: 4136.40 × 0.0975 × 28 / 365 = 30.938005
    #   2025-12-04 – 12-31: 28 d ×  9.50 %: 4136.40 × 0.095 × 28 / 365  = 30.144723
    #   sum 309.141307 → 309.14; paid 136.40, outstanding 172.74
    result = interest(
        "5000.00",
        "2025-04-30",
        "2025-12-31",
        kind=RateKind.CIVIL,
        payments=[PartialPayment(D("2025-08-01"), Decimal("1000.00"))],
    )

    assert periods(result) == [
        ("2025-05-01", "2025-05-07", 7, "11.25", "5000.00"),
        ("2025-05-08", "2025-07-02", 56, "10.75", "5000.00"),
        ("2025-07-03", "2025-08-01", 30, "10.50", "5000.00"),
        ("2025-08-02", "2025-09-03", 33, "10.50", "4136.40"),
        ("2025-09-04", "2025-10-08", 35, "10.25", "4136.40"),
        ("2025-10-09", "2025-11-05", 28, "10.00", "4136.40"),
        ("2025-11-06", "2025-12-03", 28, "9.75", "4136.40"),
        ("2025-12-04", "2025-12-31", 28, "9.50", "4136.40"),
    ]
    (payment,) = result.payments
    assert (payment.to_interest, payment.to_principal) == (Decimal("136.40"), Decimal("863.60"))
    assert result.total_interest == Decimal("309.14")
    assert result.interest_paid == Decimal("136.40")
    assert result.interest_outstanding == Decimal("172.74")
    assert result.principal_outstanding == Decimal("4136.40")


@pytest.mark.django_db
def test_a_payment_the_payer_designated_for_the_principal():
    # As above, but the whole 1,000.00 goes to the principal: base 4000.00 from 2025-08-02.
    #   up to 08-01 as above: 136.404109
    #   33 d × 10.50 %: 4000 × 0.105 × 33 / 365  = 37.972603
    #   35 d × 10.25 %: 4000 × 0.1025 × 35 / 365 = 39.315068
    #   28 d × 10.00 %: 4000 × 0.10 × 28 / 365   = 30.684932
    #   28 d ×  9.75 %: 4000 × 0.0975 × 28 / 365 = 29.917808
    #   28 d ×  9.50 %: 4000 × 0.095 × 28 / 365  = 29.150685
    #   sum 303.445205 → 303.45, none of it paid
    result = interest(
        "5000.00",
        "2025-04-30",
        "2025-12-31",
        kind=RateKind.CIVIL,
        payments=[PartialPayment(D("2025-08-01"), Decimal("1000.00"))],
        allocation=Allocation.PRINCIPAL_FIRST,
    )

    assert result.lines[3].base == Decimal("4000.00")
    assert result.total_interest == Decimal("303.45")
    assert result.interest_outstanding == Decimal("303.45")
    assert result.principal_outstanding == Decimal("4000.00")


@pytest.mark.django_db
def test_a_payment_before_the_due_date_only_lowers_the_base():
    # 2,000.00 due 2025-11-28 (Fri), 500.00 paid 2025-11-20, rest 2025-12-08 (commercial 15.25 %):
    #   2025-11-29 – 12-08: 10 d × 1500 × 0.1525 / 365 = 6.267123 → 6.27
    result = interest(
        "2000.00",
        "2025-11-28",
        "2025-12-08",
        payments=[PartialPayment(D("2025-11-20"), Decimal("500.00"))],
    )

    assert periods(result) == [("2025-11-29", "2025-12-08", 10, "15.25", "1500.00")]
    assert result.total_interest == Decimal("6.27")
    assert result.payments[0].to_principal == Decimal("500.00")


@pytest.mark.django_db
def test_payment_on_the_due_date_owes_no_interest():
    result = interest("10000.00", "2025-06-16", "2025-06-16")

    assert result.lines == ()
    assert result.total_interest == Decimal("0.00")
    assert result.days_late == 0


@pytest.mark.django_db
def test_one_day_late_is_one_day_of_interest():
    # 10,000.00 × 15.25 % × 1 / 365 = 4.178082 → 4.18
    result = interest("10000.00", "2025-07-01", "2025-07-02")

    assert periods(result) == [("2025-07-02", "2025-07-02", 1, "15.25", "10000.00")]
    assert result.total_interest == Decimal("4.18")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due", "deadline"),
    [
        ("2025-03-15", "2025-03-17"),  # Saturday → Monday
        ("2025-03-16", "2025-03-17"),  # Sunday → Monday
        ("2025-11-11", "2025-11-12"),  # Independence Day (Tuesday) → Wednesday
        ("2025-04-21", "2025-04-22"),  # Easter Monday → Tuesday
        ("2025-12-24", "2025-12-29"),  # Christmas Eve (a holiday from 2025), 25, 26, Sat, Sun
        ("2024-12-24", "2024-12-24"),  # not yet a holiday in 2024: no move
        ("2018-05-31", "2018-06-01"),  # Corpus Christi
    ],
)
def test_a_due_date_on_a_day_off_moves_to_the_next_working_day(due, deadline):
    paid_on_the_moved_day = interest("1000.00", due, deadline)

    assert paid_on_the_moved_day.deadline == D(deadline)
    assert paid_on_the_moved_day.total_interest == Decimal("0.00")


@pytest.mark.django_db
def test_interest_after_christmas_eve_2025_starts_after_the_holidays():
    # 1,000.00 due Wed 2025-12-24 → 2025-12-29; interest from 2025-12-30 to 2026-01-10:
    #   2025-12-30 – 12-31:  2 d × 15.25 %: 1000 × 0.1525 × 2 / 365 = 0.835616
    #   2026-01-01 – 01-10: 10 d × 14.00 %: 1000 × 0.14 × 10 / 365  = 3.835616
    #   sum 4.671233 → 4.67
    result = interest("1000.00", "2025-12-24", "2026-01-10")

    assert periods(result) == [
        ("2025-12-30", "2025-12-31", 2, "15.25", "1000.00"),
        ("2026-01-01", "2026-01-10", 10, "14.00", "1000.00"),
    ]
    assert result.total_interest == Decimal("4.67")


@pytest.mark.django_db
def test_the_public_medical_entity_rate():
    # 10,000.00 due 2025-12-31, paid 2026-01-31: 31 d × 12.00 % = 1200 × 31 / 365 = 101.917808
    result = interest(
        "10000.00", "2025-12-31", "2026-01-31", kind=RateKind.COMMERCIAL_PUBLIC_MEDICAL
    )

    assert periods(result) == [("2026-01-01", "2026-01-31", 31, "12.00", "10000.00")]
    assert result.total_interest == Decimal("101.92")


@pytest.mark.django_db
def test_a_period_beyond_the_announced_half_years_needs_a_new_rate():
    with pytest.raises(MissingRate, match="2027-01-01"):
        interest("1000.00", "2026-12-15", "2027-01-05")


@pytest.mark.django_db
def test_the_unverified_second_half_of_2026_is_flagged():
    result = interest("1000.00", "2026-06-30", "2026-07-10")

    assert [line.rate_verified for line in result.lines] == [False]
    assert not result.rates_verified


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "payments", "message"),
    [
        ("0.00", [], "greater than zero"),
        ("100.00", [PartialPayment(D("2026-02-01"), Decimal("10.00"))], "after the end"),
        ("100.00", [PartialPayment(D("2025-12-01"), Decimal("-1.00"))], "above zero"),
    ],
)
def test_bad_input_is_refused_with_a_reason(amount, payments, message):
    with pytest.raises(InterestError, match=message):
        interest(amount, "2025-11-28", "2026-01-10", payments=payments)


def test_payer_kind_decides_the_default_rate():
    assert default_rate_kind(Payer.Kind.BUSINESS) == RateKind.COMMERCIAL
    assert default_rate_kind(Payer.Kind.CONSUMER) == RateKind.CIVIL


@pytest.mark.django_db
def test_invoice_interest_uses_the_payers_kind_and_its_allocated_payments(tenant):
    from invoices.services import record_payment
    from tests.factories import InvoiceFactory, PayerFactory

    consumer = PayerFactory(tenant=tenant, kind=Payer.Kind.CONSUMER, nip="")
    invoice = InvoiceFactory(
        payer=consumer,
        issue_date=D("2025-04-01"),
        due_date=D("2025-04-30"),
        gross_amount=Decimal("5000.00"),
    )
    record_payment(
        tenant=tenant,
        payer=consumer,
        amount=Decimal("1000.00"),
        paid_on=D("2025-08-01"),
        invoice=invoice,
    )

    result = invoice_interest(invoice=invoice, until=D("2025-12-31"))

    # The civil example above: 309.14.
    assert result.kind == RateKind.CIVIL
    assert result.total_interest == Decimal("309.14")


@pytest.mark.django_db
def test_an_overpayment_settles_interest_and_principal_and_reports_the_rest():
    # 1,000.00 due Tue 2025-07-01, 1,010.00 paid 2025-07-02: 1000 × 0.1525 × 1 / 365 = 0.417808
    #   → 0.42 to interest, 1,000.00 to principal, 9.58 overpaid
    result = interest(
        "1000.00",
        "2025-07-01",
        "2025-07-10",
        payments=[PartialPayment(D("2025-07-02"), Decimal("1010.00"))],
    )

    (payment,) = result.payments
    assert (payment.to_interest, payment.to_principal, payment.overpaid) == (
        Decimal("0.42"),
        Decimal("1000.00"),
        Decimal("9.58"),
    )
    assert len(result.lines) == 1  # nothing accrues on a zero base
    assert result.interest_outstanding == Decimal("0.00")


def test_a_gap_in_the_table_is_reported_not_skipped():
    rates = [
        RatePeriod(D("2025-01-01"), D("2025-01-31"), Decimal("10.00")),
        RatePeriod(D("2025-03-01"), None, Decimal("12.00")),
    ]

    with pytest.raises(MissingRate, match="2025-02-01"):
        compute_interest(
            amount=Decimal("100.00"), due_date=D("2025-01-20"), until=D("2025-03-05"), rates=rates
        )


def test_the_year_divisor_is_a_parameter():
    # Due Fri 2023-12-29, paid 2024-12-29: 2 days of 2023 + 364 of 2024 = 366 days;
    #   36,600.00 × 10 % × 366 / 366 = 3,660.00 (with the default 365: 3,670.03)
    rates = [RatePeriod(D("2023-12-01"), None, Decimal("10.00"))]

    result = compute_interest(
        amount=Decimal("36600.00"),
        due_date=D("2023-12-29"),
        until=D("2024-12-29"),
        rates=rates,
        year_days=366,
    )

    assert result.days_late == 366
    assert result.total_interest == Decimal("3660.00")
