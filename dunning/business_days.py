"""Legal deadlines that fall on a day off: the Civil Code rule, on the shared `tenants.calendar`."""

from __future__ import annotations

import datetime

from tenants.calendar import is_business_day, last_business_day_of_month, next_business_day

__all__ = ["deadline_moved_by_art_115", "is_business_day", "last_business_day_of_month"]


def deadline_moved_by_art_115(due_date: datetime.date) -> datetime.date:
    """A deadline on a Saturday, Sunday or public holiday ends on the next day that is none of them.

    Art. 115 KC names "a day statutorily free from work" (Sundays, public holidays) and Saturdays.
    """
    return due_date if is_business_day(due_date) else next_business_day(due_date)
