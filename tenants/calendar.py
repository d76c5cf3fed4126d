"""The Polish calendar of days off, shared by every app: public holidays, weekends, business days.

A *business day* (dzień roboczy) is Monday to Friday and not a statutory public holiday. Contact
rules (`contact_schedule.calendar`) and legal deadlines (`dunning.business_days`) build on it.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

DAY = datetime.timedelta(days=1)
SATURDAY, SUNDAY = 5, 6
# 24 December is a public holiday from 2025: ustawa z dnia 18 stycznia 1951 r. o dniach wolnych
# od pracy, art. 1 pkt 1, as amended by the act of 6 December 2024 (Dz.U. 2024 poz. 1965).
# `holidays` 0.109 knows it; kept here too so an older or different package cannot drop it.
CHRISTMAS_EVE_FROM_YEAR = 2025


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[datetime.date]:
    """The Polish statutory public holidays of `year` (Sundays that are holidays included)."""
    days = set(holidays.Poland(years=year).keys())
    if year >= CHRISTMAS_EVE_FROM_YEAR:
        days.add(datetime.date(year, 12, 24))
    return frozenset(days)


def is_public_holiday(day: datetime.date) -> bool:
    return day in public_holidays(day.year)


def is_business_day(day: datetime.date) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < SATURDAY and not is_public_holiday(day)


def next_business_day(day: datetime.date) -> datetime.date:
    """The first business day strictly after `day`."""
    day += DAY
    while not is_business_day(day):
        day += DAY
    return day


def previous_business_day(day: datetime.date) -> datetime.date:
    """The last business day strictly before `day`."""
    day -= DAY
    while not is_business_day(day):
        day -= DAY
    return day


def last_business_day_of_month(year: int, month: int) -> datetime.date:
    """The last business day of the month."""
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return previous_business_day(first_of_next)
