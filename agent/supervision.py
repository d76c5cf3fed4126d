"""Reads of the supervisor's view: the consultants' day, the calls held now, today's promises."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import QuerySet
from django.utils import timezone

from agent.models import CallClaim
from agent.selectors import active_claims
from contact_schedule.models import Outcome
from contact_schedule.outcomes import RESPONSE_KINDS
from contact_schedule.selectors import broken_promises, open_promises
from invoices.models import ZERO
from tenants.models import Tenant, User
from tenants.roles import OperatorRole
from tenants.selectors import tenant_today

# Broken promises stay on the supervisor's screen for a week after they were found broken.
BROKEN_PROMISES_DAYS = 7


@dataclass
class ConsultantDay:
    consultant: User
    calls: int = 0
    talk_seconds: int = 0
    right_party: int = 0
    promises: int = 0
    promised_amount: Decimal = ZERO
    holding: CallClaim | None = None

    @property
    def talk_time(self) -> str:
        minutes, seconds = divmod(self.talk_seconds, 60)
        return f"{minutes}:{seconds:02d}"


def claims_of(*, clients: list[Tenant]) -> QuerySet[CallClaim]:
    parts = [CallClaim.objects.for_tenant(tenant) for tenant in clients]
    return reduce(or_, parts) if parts else CallClaim.objects.none()


def start_of_operator_day(now: datetime.datetime) -> datetime.datetime:
    """Midnight in the operator's own zone (settings.TIME_ZONE): the consultants' working day."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def consultants_today(
    *, clients: list[Tenant], now: datetime.datetime | None = None
) -> list[ConsultantDay]:
    """Per consultant of the clients' teams: today's calls, talk time, right-party contacts,
    promises and their amount, and the call held now. Calls are claims that ended in an outcome."""
    now = now or timezone.now()
    members = (
        User.objects.filter(
            teams__clients__in=clients,
            groups__name__in=[OperatorRole.CONSULTANT, OperatorRole.SUPERVISOR],
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
    days = {user.pk: ConsultantDay(user) for user in members}
    claims = (
        claims_of(clients=clients)
        .filter(claimed_at__gte=start_of_operator_day(now))
        .only(
            "consultant_id",
            "call_started_at",
            "call_ended_at",
            "outcome_kind",
            "promised_amount",
            "ending",
        )
    )
    for claim in claims:
        day = days.get(claim.consultant_id)
        if day is None:
            continue
        day.talk_seconds += claim.talk_seconds
        if claim.ending == CallClaim.Ending.OUTCOME:
            day.calls += 1
            day.right_party += claim.outcome_kind in RESPONSE_KINDS
        if claim.outcome_kind == Outcome.Kind.PROMISE:
            day.promises += 1
            day.promised_amount += claim.promised_amount or ZERO
    held = active_claims().filter(consultant_id__in=days).select_related("payer", "tenant")
    for claim in held:
        days[claim.consultant_id].holding = claim
    return list(days.values())


@dataclass
class ClientPromises:
    tenant: Tenant
    due_today: list[Outcome] = field(default_factory=list)
    broken: list[Outcome] = field(default_factory=list)


def promises_of_today(*, clients: list[Tenant]) -> list[ClientPromises]:
    result = []
    for tenant in clients:
        today = tenant_today(tenant)
        since = today - datetime.timedelta(days=BROKEN_PROMISES_DAYS)
        result.append(
            ClientPromises(
                tenant,
                list(open_promises(tenant=tenant, day=today).select_related("payer", "user")),
                list(broken_promises(tenant=tenant, since=since).select_related("payer", "user")),
            )
        )
    return result


def held_calls(*, clients: list[Tenant]) -> QuerySet[CallClaim]:
    """The calls held now, longest first: a stuck one is at the top."""
    return (
        claims_of(clients=clients)
        .filter(released_at__isnull=True, lease_until__gt=timezone.now())
        .select_related("tenant", "payer", "consultant")
        .order_by("claimed_at")
    )
