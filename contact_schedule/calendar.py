"""The Polish business calendar: public holidays, weekends, and the move rule for contacts.

A *business day* (dzień roboczy) is Monday to Friday and not a public holiday. A *contact day* is a
business day, or a Saturday that is not a holiday when the channel has Saturday hours; Sundays and
public holidays are never contact days (DOMAIN.md §4, §8).
"""

from __future__ import annotations

import datetime

from tenants.calendar import (
    DAY,
    SATURDAY,
    SUNDAY,
    is_business_day,
    is_public_holiday,
    next_business_day,
    previous_business_day,
    public_holidays,
)

__all__ = ["is_business_day", "public_holidays"]


def is_contact_day(day: datetime.date, *, saturday: bool = False) -> bool:
    """A day a payer may be contacted; Saturdays only for channels with Saturday hours."""
    if day.weekday() == SUNDAY or is_public_holiday(day):
        return False
    return day.weekday() < SATURDAY or saturday


def next_contact_day(day: datetime.date, *, saturday: bool = False) -> datetime.date:
    """The first contact day strictly after `day`."""
    day += DAY
    while not is_contact_day(day, saturday=saturday):
        day += DAY
    return day


def previous_contact_day(day: datetime.date, *, saturday: bool = False) -> datetime.date:
    """The last contact day strictly before `day`."""
    day -= DAY
    while not is_contact_day(day, saturday=saturday):
        day -= DAY
    return day


def add_business_days(day: datetime.date, count: int) -> datetime.date:
    """`count` business days after `day` (before it when negative); 0 returns `day` unchanged."""
    step = next_business_day if count > 0 else previous_business_day
    for _ in range(abs(count)):
        day = step(day)
    return day


def move_to_contact_day(
    day: datetime.date, *, due_date: datetime.date, saturday: bool = False
) -> datetime.date:
    """Where a contact meant for `day` happens: `day` itself when it is a contact day.

    Otherwise it keeps its purpose (DOMAIN.md §4): a reminder before the due date moves to the
    previous contact day (it must still arrive before the due date), a contact on or after the
    due date to the next one. Neither is ever dropped.
    """
    if is_contact_day(day, saturday=saturday):
        return day
    if day < due_date:
        return previous_contact_day(day, saturday=saturday)
    return next_contact_day(day, saturday=saturday)


def scheduled_day(
    due_date: datetime.date,
    *,
    offset: int,
    business_days: bool,
    saturday: bool = False,
    legal_deadline: bool = True,
) -> datetime.date:
    """The contact day of a step `offset` days from `due_date` (business or calendar days).

    A step after the due date counts from the day the payment is legally late: a due date on a
    Saturday, Sunday or public holiday ends on the next business day (Civil Code art. 115, as
    for interest: DOMAIN.md §1), so an invoice due on 26 December (a holiday) is not called
    "overdue" on the 28th, its real due day. A step before it counts from the due date as
    written: a reminder then comes, if anything, earlier. `legal_deadline=False` counts from
    `due_date` as given (an express schedule counts from the hand-over day, not a deadline).
    """
    moves = legal_deadline and offset > 0 and not is_business_day(due_date)
    base = next_business_day(due_date) if moves else due_date
    if business_days:
        day = add_business_days(base, offset)
    else:
        day = base + datetime.timedelta(days=offset)
    return move_to_contact_day(day, due_date=base, saturday=saturday)


# A move never crosses more closed days than this (Christmas with a weekend: 24–27 December is
# four), and `offset` business days span at most this many calendar days per business day.
_MAX_MOVE_DAYS = 10
_MAX_CALENDAR_DAYS_PER_BUSINESS_DAY = 3


def due_dates_scheduled_on(
    day: datetime.date,
    *,
    offset: int,
    business_days: bool,
    saturday: bool = False,
    legal_deadline: bool = True,
) -> list[datetime.date]:
    """Every due date whose step (`offset`, moved by the rule) falls on `day`, ascending.

    The inverse of `scheduled_day`, found by trying the few candidates around `day - offset`:
    it lets the planner select the invoices of a step with `due_date IN (…)` in one query.
    """
    if not is_contact_day(day, saturday=saturday):
        return []
    reach = _MAX_MOVE_DAYS
    if business_days:
        reach += abs(offset) * _MAX_CALENDAR_DAYS_PER_BUSINESS_DAY
    centre = day - datetime.timedelta(days=offset)
    candidates = (centre + datetime.timedelta(days=shift) for shift in range(-reach, reach + 1))
    return [
        due
        for due in candidates
        if scheduled_day(
            due,
            offset=offset,
            business_days=business_days,
            saturday=saturday,
            legal_deadline=legal_deadline,
        )
        == day
    ]
