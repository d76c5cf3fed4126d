"""Days off for legal deadlines: Saturdays, Sundays and Polish statutory public holidays.

Kept tiny and inside `dunning` because `contact_schedule.calendar` (layer 4) may not be imported
from here (layer 3). The two should merge into one low-layer module (e.g. `tenants/calendar.py`).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

DAY = datetime.timedelta(days=1)
SATURDAY = 5
# 24 December is a public holiday from 2025 (act of 6 December 2024, Dz.U. 2024 poz. 1965);
# `holidays` 0.109 knows it, kept here so an older package cannot drop it.
CHRISTMAS_EVE_FROM_YEAR = 2025


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[datetime.date]:
    """The Polish statutory public holidays of `year` (ustawa o dniach wolnych od pracy)."""
    days = set(holidays.Poland(years=year).keys())
    if year >= CHRISTMAS_EVE_FROM_YEAR:
        days.add(datetime.date(year, 12, 24))
    return frozenset(days)


def is_business_day(day: datetime.date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < SATURDAY and day not in public_holidays(day.year)


def deadline_moved_by_art_115(due_date: datetime.date) -> datetime.date:
    """A deadline on a Saturday, Sunday or public holiday ends on the next day that is none of them.

    Art. 115 KC names "a day statutorily free from work" (Sundays, public holidays) and Saturdays.
    """
    day = due_date
    while not is_business_day(day):
        day += DAY
    return day


def last_business_day_of_month(year: int, month: int) -> datetime.date:
    """The last Monday-to-Friday of the month that is not a public holiday."""
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    day = first_of_next - DAY
    while not is_business_day(day):
        day -= DAY
    return day
