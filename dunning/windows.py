"""The hook through which the outbox asks when a channel may reach a client's payers.

Contact windows belong to the contact schedule, which sits above dunning (ARCHITECTURE.md): dunning
may not import it. So the schedule registers its lookup here from `AppConfig.ready()`
(`contact_schedule.apps`), and the outbox calls `window_for`. The lookup answers the window open
at `moment`, else the next one, as (start, end) aware datetimes — for consumers when asked
(`consumer=True`) — and raises `LookupError` when the channel has no window at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from payers.models import Payer

if TYPE_CHECKING:
    from tenants.models import Tenant

WindowLookup = Callable[..., tuple[datetime.datetime, datetime.datetime]]

_lookup: WindowLookup | None = None


def register_window_lookup(lookup: WindowLookup) -> None:
    """Called once by the contact schedule's app config; a second call replaces the first."""
    global _lookup
    _lookup = lookup


def window_for(
    *, tenant: Tenant, channel: str, moment: datetime.datetime, payer: Payer
) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end) of `channel`'s window for `payer` of `tenant` open at `moment`, else of the
    next one (a consumer may have narrower hours than a business)."""
    if _lookup is None:
        # Sending without the window rules would break the contact policy: refuse loudly.
        raise ImproperlyConfigured("No contact-window lookup is registered (contact_schedule).")
    consumer = payer.kind == Payer.Kind.CONSUMER
    return _lookup(tenant=tenant, channel=channel, moment=moment, consumer=consumer)
