"""Reads of the agent screen: whom a consultant may call, today's prioritised calls, the counts.

The worklist is one query over the call tasks of all the team's clients (each client's "today" in
its own zone), ordered by a priority the supervisor can explain: the band first (a callback that
is due, a promise due today, an overdue payer, a pre-due courtesy call), then the amount owed and
the days overdue. Claiming (`services.claim_next_call`) takes the top of the same ordering.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from agent.models import CallClaim
from contact_schedule.models import Channel, ContactTask, ContactTaskInvoice
from contact_schedule.selectors import open_promises
from invoices.templatetags.money import money, money_per_currency
from tenants.models import Tenant, User
from tenants.roles import OperatorRole
from tenants.selectors import ACCESSIBLE_STATUSES, clients_of_consultant

AGENT_ROLES = (OperatorRole.CONSULTANT, OperatorRole.SUPERVISOR)


class Band:
    """Priority bands, most urgent first; LATER rows are not takeable yet."""

    CALLBACK = 0
    PROMISE = 1
    OVERDUE = 2
    PRE_DUE = 3
    LATER = 8
    EXHAUSTED = 9


def is_agent(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name__in=AGENT_ROLES).exists()
    )


def is_supervisor(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.has_operator_role(OperatorRole.SUPERVISOR)
    )


CLIENTS_SECONDS = 600
TEAMS_GENERATION_KEY = "agent:teams:generation"


def team_clients(user: User) -> list[Tenant]:
    """The clients the user's teams call for, that are open for work.

    Asked on every page and every press of Enter, so cached: teams change rarely, and every
    change of a team, its members or clients, or of a client (its status) sets a new teams
    generation (`agent.receivers` → `teams_changed`), which makes every cached list stale at
    once. One cache round trip when nothing changed."""
    key = f"agent:clients:{user.pk}"
    found = cache.get_many([key, TEAMS_GENERATION_KEY])
    generation = found.get(TEAMS_GENERATION_KEY)
    cached = found.get(key)
    if generation is not None and cached is not None and cached[0] == generation:
        return cached[1]
    if generation is None:  # never set, or evicted: a new one, so no older list matches it
        cache.add(TEAMS_GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(TEAMS_GENERATION_KEY)
    clients = list(clients_of_consultant(user).filter(status__in=ACCESSIBLE_STATUSES))
    cache.set(key, (generation, clients), CLIENTS_SECONDS)
    return clients


def teams_changed() -> None:
    """Make every user's cached team clients stale (see `team_clients`)."""
    cache.set(TEAMS_GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def team_client_or_404(user: User, tenant_id: int) -> Tenant:
    """A client of the user's team; any other client, existing or not, is a 404."""
    for tenant in team_clients(user):
        if tenant.pk == tenant_id:
            return tenant
    raise Http404("Not a client of your team.")


def active_claims() -> QuerySet[CallClaim]:
    return CallClaim.objects.filter(released_at__isnull=True, lease_until__gt=timezone.now())


def claim_held_by(user: User) -> CallClaim | None:
    """The consultant's call in progress (an unexpired claim), if any."""
    return (
        active_claims()
        .filter(consultant=user)
        .select_related("tenant", "payer", "task")
        .order_by("-claimed_at")
        .first()
    )


def calls_of_today(*, clients: list[Tenant], now: datetime.datetime) -> QuerySet[ContactTask]:
    """Call tasks planned for today of the clients, each scoped with `for_tenant` on its own day."""
    parts = [
        ContactTask.objects.for_tenant(tenant).filter(
            planned_date=timezone.localtime(now, tenant.zone).date(), channel=Channel.CALL
        )
        for tenant in clients
    ]
    return reduce(or_, parts) if parts else ContactTask.objects.none()


def _covered(aggregate) -> Subquery:
    return Subquery(
        ContactTaskInvoice.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(value=aggregate)
        .values("value")
    )


def _active_claim_on(field: str, outer: str, now: datetime.datetime) -> Exists:
    return Exists(
        CallClaim.objects.filter(
            **{field: OuterRef(outer)}, released_at__isnull=True, lease_until__gt=now
        )
    )


# Unanswered attempts (no answer, voicemail) leave the task open; the next attempt waits this long.
# The default schedule's call steps say 120 minutes between attempts.
RETRY_AFTER = datetime.timedelta(minutes=120)
UNANSWERED = ("no_answer", "voicemail")


def _unanswered_attempts():
    return CallClaim.objects.filter(task=OuterRef("pk"), outcome_kind__in=UNANSWERED)


def prioritised(tasks: QuerySet[ContactTask], *, now: datetime.datetime) -> QuerySet[ContactTask]:
    """Annotate the band, amount owed, oldest due date and claims; order most urgent first."""
    money = DecimalField(max_digits=16, decimal_places=2)
    band = Case(
        When(Q(attempts_made__gte=F("attempts")), then=Value(Band.EXHAUSTED)),
        When(Q(callback_at__gt=now), then=Value(Band.LATER)),
        When(Q(callback_at__isnull=False), then=Value(Band.CALLBACK)),
        When(Q(last_attempt_at__gt=now - RETRY_AFTER), then=Value(Band.LATER)),
        When(Q(promise_today=True), then=Value(Band.PROMISE)),
        When(Q(step__offset_days__lt=0), then=Value(Band.PRE_DUE)),
        default=Value(Band.OVERDUE),
        output_field=IntegerField(),
    )
    return (
        tasks.annotate(
            promise_today=Exists(
                open_promises(tenant=OuterRef("tenant"), day=OuterRef("planned_date")).filter(
                    payer=OuterRef("payer")
                )
            ),
            attempts_made=Coalesce(
                Subquery(
                    _unanswered_attempts()
                    .order_by()
                    .values("task")
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                Value(0),
            ),
            last_attempt_at=Subquery(
                _unanswered_attempts().order_by("-released_at").values("released_at")[:1]
            ),
            amount=Coalesce(
                _covered(Sum("invoice__outstanding_amount")), Value(Decimal(0)), output_field=money
            ),
            oldest_due=_covered(Min("invoice__due_date")),
            invoice_count=Coalesce(_covered(Count("invoice")), Value(0)),
            task_claimed=_active_claim_on("task", "pk", now),
            payer_claimed=_active_claim_on("payer", "payer", now),
        )
        .annotate(band=band)
        .order_by("band", F("amount").desc(), F("oldest_due").asc(nulls_last=True), "id")
    )


def takeable_now(tasks: QuerySet[ContactTask], *, now: datetime.datetime) -> QuerySet[ContactTask]:
    """The tasks "next call" may take at `now`: planned, inside the call window, no callback
    agreed for later, unclaimed (task and payer), no unanswered attempt within RETRY_AFTER and
    attempts left for the day. Filters only, no ordering: the claim runs it on a few candidates."""
    attempts_made = Coalesce(
        Subquery(
            _unanswered_attempts().order_by().values("task").annotate(n=Count("id")).values("n")
        ),
        Value(0),
    )
    return (
        tasks.filter(
            Q(callback_at__isnull=True) | Q(callback_at__lte=now),
            state=ContactTask.State.PLANNED,
            window_start__lte=now,
            window_end__gt=now,
        )
        .filter(
            ~_active_claim_on("task", "pk", now),
            ~_active_claim_on("payer", "payer", now),
            ~Exists(_unanswered_attempts().filter(released_at__gt=now - RETRY_AFTER)),
        )
        .alias(attempts_so_far=attempts_made)
        .filter(attempts_so_far__lt=F("attempts"))
    )


def takeable(tasks: QuerySet[ContactTask], *, now: datetime.datetime) -> QuerySet[ContactTask]:
    """The takeable tasks, most urgent first (the ranking "next call" follows)."""
    return prioritised(takeable_now(tasks, now=now), now=now)


@dataclass(frozen=True)
class WorkRow:
    task: ContactTask
    band: int
    why: str
    amount: Decimal  # the sum the ranking orders by, whatever the invoices' currencies
    owed: str  # what is owed, per currency ("1 230,00 zł + 500,00 EUR")
    days_overdue: int
    claimed_by: User | None
    takeable: bool


def _hhmm(moment: datetime.datetime, task: ContactTask) -> str:
    return timezone.localtime(moment, task.tenant.zone).strftime("%H:%M")


def owed_per_currency(task_ids: list[int]) -> dict[int, str]:
    """What each task's covered invoices still owe, a sum per currency: a payer may owe in PLN
    and EUR at once, and adding the two would show a figure nobody owes. One query."""
    sums = (
        ContactTaskInvoice.objects.filter(task__in=task_ids)
        .values("task", "invoice__currency")
        .annotate(total=Sum("invoice__outstanding_amount"))
        .order_by("task", "-total")
    )
    per_task: dict[int, dict[str, Decimal]] = {}
    for row in sums:
        per_task.setdefault(row["task"], {})[row["invoice__currency"]] = row["total"]
    return {task: money_per_currency(amounts) for task, amounts in per_task.items()}


def _why(task: ContactTask, now: datetime.datetime, owed: str | None = None) -> str:
    """The one-line reason for the row's place, for consultants and supervisors alike."""
    amount = owed or money(task.amount)
    days = (task.planned_date - task.oldest_due).days if task.oldest_due else 0
    if task.band == Band.EXHAUSTED:
        return _("%(count)s unanswered attempts today: done for the day") % {
            "count": task.attempts_made
        }
    if task.band < Band.LATER and now < task.window_start:
        return _("Call hours from %(time)s · %(why)s") % {
            "time": _hhmm(task.window_start, task),
            "why": _why_in_window(task, now, amount, days),
        }
    if task.band < Band.LATER and now >= task.window_end:
        return _("Call hours over for today (carried to the next day) · %(why)s") % {
            "why": _why_in_window(task, now, amount, days)
        }
    return _why_in_window(task, now, amount, days)


def _why_in_window(task: ContactTask, now: datetime.datetime, amount: str, days: int) -> str:
    if task.band == Band.LATER and task.callback_at and task.callback_at > now:
        return _("Callback agreed for %(time)s") % {"time": _hhmm(task.callback_at, task)}
    if task.band == Band.LATER:
        return _("No answer at %(time)s; next attempt from %(next)s") % {
            "time": _hhmm(task.last_attempt_at, task),
            "next": _hhmm(task.last_attempt_at + RETRY_AFTER, task),
        }
    if task.band == Band.CALLBACK:
        return _("Callback due since %(time)s") % {"time": _hhmm(task.callback_at, task)}
    if task.band == Band.PROMISE:
        return _("Promise due today · %(amount)s owed") % {"amount": amount}
    if task.band == Band.PRE_DUE:
        return _("Courtesy call: %(amount)s due in %(days)s days") % {
            "amount": amount,
            "days": -days,
        }
    return _("%(amount)s owed, %(days)s days overdue (%(count)s invoices)") % {
        "amount": amount,
        "days": days,
        "count": task.invoice_count,
    }


def worklist(
    *, user: User, now: datetime.datetime | None = None, limit: int = 200
) -> list[WorkRow]:
    """Today's open call tasks of the user's team's clients, most urgent first."""
    now = now or timezone.now()
    tasks = prioritised(
        calls_of_today(clients=team_clients(user), now=now).filter(state=ContactTask.State.PLANNED),
        now=now,
    ).select_related("tenant", "payer", "step")[:limit]
    tasks = list(tasks)
    owed = owed_per_currency([task.pk for task in tasks])
    holders = {
        claim.task_id: claim.consultant
        for claim in active_claims()
        .filter(task__in=[task.pk for task in tasks])
        .select_related("consultant")
    }
    return [
        WorkRow(
            task=task,
            band=task.band,
            why=_why(task, now, owed.get(task.pk)),
            amount=task.amount,
            owed=owed.get(task.pk) or money(task.amount),
            days_overdue=(task.planned_date - task.oldest_due).days if task.oldest_due else 0,
            claimed_by=holders.get(task.pk),
            takeable=task.pk not in holders
            and not task.payer_claimed
            and task.band < Band.LATER
            and task.window_start <= now < task.window_end,
        )
        for task in tasks
    ]


@dataclass(frozen=True)
class QueueCount:
    tenant_id: int
    tenant_name: str
    stage: str
    waiting: int
    claimed: int
    done: int


def queue_counts(
    *, clients: list[Tenant], now: datetime.datetime | None = None
) -> list[QueueCount]:
    """Per client and stage (pre-due / overdue): today's calls waiting, claimed and done."""
    now = now or timezone.now()
    planned = Q(state=ContactTask.State.PLANNED)
    rows = (
        calls_of_today(clients=clients, now=now)
        .annotate(
            claimed=_active_claim_on("task", "pk", now),
            stage=Case(
                When(step__offset_days__lt=0, then=Value("pre_due")),
                default=Value("overdue"),
            ),
        )
        .order_by()
        .values("tenant_id", "tenant__name", "stage")
        .annotate(
            waiting=Count("id", filter=planned & Q(claimed=False)),
            claimed_count=Count("id", filter=planned & Q(claimed=True)),
            done=Count("id", filter=Q(state=ContactTask.State.DONE)),
        )
        .order_by("tenant__name", "stage")
    )
    return [
        QueueCount(
            row["tenant_id"],
            row["tenant__name"],
            row["stage"],
            row["waiting"],
            row["claimed_count"],
            row["done"],
        )
        for row in rows
    ]
