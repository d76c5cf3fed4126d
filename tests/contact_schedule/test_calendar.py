"""The Polish business calendar and the move rule (DOMAIN.md §4, §8)."""

from __future__ import annotations

import datetime

import pytest

from contact_schedule.calendar import (
    add_business_days,
    due_dates_scheduled_on,
    is_business_day,
    is_contact_day,
    is_public_holiday,
    move_to_contact_day,
    next_business_day,
    previous_business_day,
    scheduled_day,
)
from contact_schedule.defaults import DEFAULT_STEPS

D = datetime.date


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 12, 24),  # Wigilia, a holiday from 2025
        D(2026, 12, 25),
        D(2026, 12, 26),
        D(2027, 1, 1),
        D(2027, 1, 6),
        D(2027, 3, 28),  # Easter Sunday
        D(2027, 3, 29),  # Easter Monday
        D(2027, 5, 1),
        D(2027, 5, 3),
        D(2027, 5, 27),  # Corpus Christi
        D(2026, 6, 4),  # Corpus Christi
        D(2026, 11, 11),
        D(2025, 12, 24),
    ],
)
def test_public_holidays_are_never_contact_days(day):
    assert is_public_holiday(day)
    assert not is_business_day(day)
    assert not is_contact_day(day, saturday=True)


def test_christmas_eve_was_a_working_day_before_2025():
    assert not is_public_holiday(D(2024, 12, 24))
    assert is_business_day(D(2024, 12, 24))


def test_sundays_are_closed_and_saturdays_only_for_channels_with_saturday_hours():
    sunday, saturday = D(2026, 12, 6), D(2026, 12, 5)
    assert not is_contact_day(sunday, saturday=True)
    assert is_contact_day(saturday, saturday=True)
    assert not is_contact_day(saturday)
    assert not is_business_day(saturday)
    # 26 December 2026 is a Saturday and a holiday: closed even for Saturday channels.
    assert not is_contact_day(D(2026, 12, 26), saturday=True)


def test_next_and_previous_business_day_around_christmas_and_new_year():
    assert next_business_day(D(2026, 12, 23)) == D(2026, 12, 28)
    assert previous_business_day(D(2026, 12, 28)) == D(2026, 12, 23)
    assert next_business_day(D(2026, 12, 31)) == D(2027, 1, 4)
    assert previous_business_day(D(2027, 1, 4)) == D(2026, 12, 31)
    assert next_business_day(D(2027, 1, 5)) == D(2027, 1, 7)  # over Epiphany


def test_add_business_days_skips_weekends_and_holidays():
    assert add_business_days(D(2026, 12, 23), 1) == D(2026, 12, 28)
    assert add_business_days(D(2026, 12, 28), -3) == D(2026, 12, 21)
    assert add_business_days(D(2027, 3, 26), 1) == D(2027, 3, 30)  # Easter Monday
    assert add_business_days(D(2027, 4, 30), 1) == D(2027, 5, 4)  # 1 May Sat, 3 May Mon
    assert add_business_days(D(2027, 5, 26), 1) == D(2027, 5, 28)  # Corpus Christi
    assert add_business_days(D(2026, 11, 10), 1) == D(2026, 11, 12)  # 11 November
    assert add_business_days(D(2026, 12, 23), 0) == D(2026, 12, 23)


def test_a_reminder_before_the_due_date_moves_earlier_and_one_after_it_later():
    due = D(2026, 12, 28)
    assert move_to_contact_day(D(2026, 12, 24), due_date=due) == D(2026, 12, 23)
    assert move_to_contact_day(D(2026, 12, 27), due_date=due, saturday=True) == D(2026, 12, 23)
    after_due = D(2026, 12, 22)
    assert move_to_contact_day(D(2026, 12, 24), due_date=after_due) == D(2026, 12, 28)
    assert move_to_contact_day(D(2026, 12, 24), due_date=after_due, saturday=True) == D(
        2026, 12, 28
    )
    # Due on a holiday, contacted on the due date: the next open day, never dropped.
    assert move_to_contact_day(D(2027, 3, 29), due_date=D(2027, 3, 29)) == D(2027, 3, 30)


def test_courtesy_call_three_business_days_before_a_due_date_after_christmas():
    assert scheduled_day(D(2026, 12, 28), offset=-3, business_days=True) == D(2026, 12, 21)
    assert scheduled_day(D(2027, 1, 4), offset=-3, business_days=True) == D(2026, 12, 29)


def test_a_step_on_a_saturday_stays_there_only_for_saturday_channels():
    due = D(2026, 12, 4)  # Friday; +1 is Saturday 5 December
    assert scheduled_day(due, offset=1, business_days=False, saturday=True) == D(2026, 12, 5)
    assert scheduled_day(due, offset=1, business_days=False) == D(2026, 12, 7)


@pytest.mark.parametrize("saturday", [False, True])
@pytest.mark.parametrize(
    ("offset", "business"), sorted({(s[0], s[1] == "business") for s in DEFAULT_STEPS})
)
def test_due_dates_scheduled_on_is_the_exact_inverse_of_scheduled_day(offset, business, saturday):
    """Every due date from Nov 2026 to Jun 2027 is found on exactly its step's contact day."""
    start = D(2026, 11, 1)
    dues = [start + datetime.timedelta(days=n) for n in range(240)]
    by_day: dict[datetime.date, set[datetime.date]] = {}
    for due in dues:
        day = scheduled_day(due, offset=offset, business_days=business, saturday=saturday)
        assert is_contact_day(day, saturday=saturday)
        assert (day < due) == (offset < 0)  # a reminder before the due date stays before it
        by_day.setdefault(day, set()).add(due)
    for day, expected in by_day.items():
        found = set(
            due_dates_scheduled_on(day, offset=offset, business_days=business, saturday=saturday)
        )
        assert expected <= found
        assert all(
            scheduled_day(due, offset=offset, business_days=business, saturday=saturday) == day
            for due in found
        )


def test_nothing_is_scheduled_on_a_closed_day():
    for closed in (D(2026, 12, 24), D(2026, 12, 27), D(2027, 3, 29)):
        assert due_dates_scheduled_on(closed, offset=7, business_days=False, saturday=True) == []


def test_steps_after_a_due_date_on_a_day_off_count_from_the_legal_deadline():
    # Due on Saturday 26 December 2026 (a holiday): payable until Monday the 28th (art. 115 KC),
    # so the day-after SMS is on the 29th, not on the 28th, the real due day.
    assert scheduled_day(D(2026, 12, 26), offset=1, business_days=False, saturday=True) == D(
        2026, 12, 29
    )
    # Due on Saturday 5 December: +3 from Monday the 7th.
    assert scheduled_day(D(2026, 12, 5), offset=3, business_days=False) == D(2026, 12, 10)
    # A reminder before the due date still counts from the date written.
    assert scheduled_day(D(2026, 12, 26), offset=-3, business_days=True) == D(2026, 12, 21)
    # An express schedule counts from the hand-over day, which is no deadline.
    assert scheduled_day(D(2026, 12, 5), offset=3, business_days=False, legal_deadline=False) == D(
        2026, 12, 8
    )
