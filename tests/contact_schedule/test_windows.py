import datetime
from zoneinfo import ZoneInfo

import pytest

from contact_schedule.windows import NoContactWindow, is_inside_window, window_at_or_after
from tests.factories import TenantFactory

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WARSAW)


def test_a_sms_due_at_21_30_on_friday_waits_for_the_saturday_window():
    tenant = TenantFactory()
    start, end = window_at_or_after(tenant=tenant, channel="sms", moment=at(2026, 12, 4, 21, 30))
    # The operator's SMS window has Saturday hours (9–19); letters have none.
    assert (start, end) == (at(2026, 12, 5, 9, 0), at(2026, 12, 5, 19, 0))
    start, _ = window_at_or_after(
        tenant=tenant, channel="demand_letter", moment=at(2026, 12, 4, 21, 30)
    )
    assert start == at(2026, 12, 7, 8, 0)
    assert not is_inside_window(tenant=tenant, channel="sms", moment=at(2026, 12, 4, 21, 30))


def test_inside_the_window_returns_todays_window():
    tenant = TenantFactory()
    moment = at(2026, 12, 3, 12, 0)
    start, end = window_at_or_after(tenant=tenant, channel="call", moment=moment)
    assert start <= moment < end
    assert is_inside_window(tenant=tenant, channel="call", moment=moment)


def test_christmas_eve_and_the_holidays_are_skipped():
    tenant = TenantFactory()
    start, _ = window_at_or_after(tenant=tenant, channel="call", moment=at(2026, 12, 23, 20, 0))
    # 24–26 December are holidays, 27 December is a Sunday.
    assert start.date() == datetime.date(2026, 12, 28)


def test_a_channel_without_a_window_is_refused():
    with pytest.raises(NoContactWindow):
        window_at_or_after(tenant=TenantFactory(), channel="escalation", moment=at(2026, 12, 3, 9))
