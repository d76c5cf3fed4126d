"""When a channel may reach a client's payers: the open window now, or the next one.

A contact that falls outside its window is deferred to the next window, never dropped (the
planner's tasks and the outbox both ask here).
"""

from __future__ import annotations

import datetime

from contact_schedule.limits import Limits
from contact_schedule.selectors import contact_windows_for
from contact_schedule.stages import day_hours
from tenants.models import Tenant

# Far enough to cross the longest run of non-contact days (Christmas to the first weekday of
# January is at most a week), short enough that a channel without any window fails quickly.
SEARCH_DAYS = 21


class NoContactWindow(LookupError):
    """The channel has no contact window for this client (it is not a contact channel)."""


def window_at_or_after(
    *, tenant: Tenant, channel: str, moment: datetime.datetime, consumer: bool = False
) -> tuple[datetime.datetime, datetime.datetime]:
    """The (start, end) of the window that is open at `moment`, else of the next one to open;
    for a consumer (`consumer`), of the consumers' window.

    Both are aware datetimes in the client's time zone; Sundays and public holidays are skipped.
    """
    window = contact_windows_for(tenant=tenant, consumer=consumer).get(channel)
    if window is None:
        raise NoContactWindow(channel)
    limits = Limits.of(tenant)
    local = moment.astimezone(tenant.zone)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        # The same hours the planner gives its tasks: closed days and quiet hours left out.
        hours = day_hours(window=window, day=day, limits=limits)
        if hours is not None:
            start = datetime.datetime.combine(day, hours[0], tzinfo=tenant.zone)
            end = datetime.datetime.combine(day, hours[1], tzinfo=tenant.zone)
            if local < end:
                return start, end
        day += datetime.timedelta(days=1)
    raise NoContactWindow(channel)


def is_inside_window(
    *, tenant: Tenant, channel: str, moment: datetime.datetime, consumer: bool = False
) -> bool:
    start, end = window_at_or_after(
        tenant=tenant, channel=channel, moment=moment, consumer=consumer
    )
    return start <= moment < end
