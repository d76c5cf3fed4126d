"""The shared Polish calendar: holidays (24 December from 2025), business days, month ends."""

from __future__ import annotations

import datetime

from tenants.calendar import (
    is_business_day,
    last_business_day_of_month,
    next_business_day,
    previous_business_day,
)

D = datetime.date


def test_christmas_eve_is_a_holiday_from_2025_only():
    assert not is_business_day(D(2025, 12, 24))
    assert is_business_day(D(2024, 12, 24))


def test_next_and_previous_business_days_skip_weekends_and_holidays():
    assert next_business_day(D(2026, 12, 23)) == D(2026, 12, 28)  # 24–27 December off
    assert previous_business_day(D(2027, 1, 4)) == D(2026, 12, 31)
    assert next_business_day(D(2027, 3, 26)) == D(2027, 3, 30)  # Easter Monday 29 March


def test_last_business_day_of_the_month():
    assert last_business_day_of_month(2026, 12) == D(2026, 12, 31)
    assert last_business_day_of_month(2026, 10) == D(2026, 10, 30)  # 31 October is a Saturday
    assert last_business_day_of_month(2024, 3) == D(2024, 3, 29)  # Sunday 31, Saturday 30
