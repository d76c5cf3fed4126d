"""Writes of the agent screen: take the next call, release it, reassign it, time the call.

Claiming follows STYLE.md §9: the top takeable task is locked with `SELECT … FOR UPDATE SKIP
LOCKED` (PostgreSQL), so concurrent consultants each lock a different row, and the claim row is
inserted in the same transaction. The partial unique constraints on `CallClaim` are the last word:
a task whose claim committed just after another consultant's snapshot was taken collides on
insert, and that consultant simply tries the next task.
"""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from agent.models import CallClaim
from agent.selectors import (
    RETRY_AFTER,
    UNANSWERED,
    calls_of_today,
    takeable,
    takeable_now,
    team_clients,
)
from contact_schedule.models import Channel, ContactTask, Outcome
from contact_schedule.outcomes import record_outcome
from dunning.calls import place_consultant_call
from payers.models import PayerContact
from payers.phones import normalize_phone
from payers.selectors import contacts_of
from tenants.models import Tenant, User

LEASE = datetime.timedelta(minutes=15)
RANKING_SECONDS = 10
RANKING_SIZE = 2_000
# Candidates offered to one locking statement: enough that fifty concurrent claimers, each skipping
# the rows the others hold and the tasks done since the ranking was cached, find one in the first
# batch. Walking past a done or locked candidate costs the statement an index lookup; walking past
# a whole batch costs a round trip, so the batch is large.
CANDIDATES_PER_LOCK = 256
# A claim that walked past this many candidates drops them from its process's ranking: walking
# past one costs the database an index lookup, forgetting costs a pass over the ranking in Python.
FORGET_AFTER = 8


def expire_stale_claims(*, now: datetime.datetime | None = None) -> int:
    """Release every claim whose lease ran out (conditional update: safe to run concurrently)."""
    now = now or timezone.now()
    return CallClaim.objects.filter(released_at__isnull=True, lease_until__lte=now).update(
        released_at=F("lease_until"), ending=CallClaim.Ending.EXPIRED
    )


# This process's copies of the shared rankings: {ranking key: (computed at, task ids)}. Reading the
# shared cache on every claim, and writing it back to drop the candidates found taken, cost more
# than the claim itself when fifty consultants press Enter at once; a copy per process is read
# for free and pruned as its claimers walk past taken candidates, and it is never older than the
# shared ranking it was copied from (RANKING_SECONDS).
_local_rankings: dict[str, tuple[datetime.datetime, list[int]]] = {}


def forget_local_rankings() -> None:
    """Drop this process's copies (tests, whose database changes under them, start clean)."""
    _local_rankings.clear()


def ranking(*, clients: list[Tenant], now: datetime.datetime, refresh: bool = False) -> list[int]:
    """The ids of the takeable tasks of the clients, most urgent first, at most RANKING_SECONDS
    old (stale-while-revalidate: one claimer recomputes, the others use the previous ranking).

    Ranking every task on every claim costs tens of milliseconds once a team has thousands of
    calls a day, and fifty consultants pressing Enter would queue behind it. A ranking a few
    seconds old only delays a callback that just came due by as much; whether a task may be
    taken is checked afresh when it is locked (`takeable_now`). Leases that ran out are released
    here too, so a task abandoned with its lease is back within RANKING_SECONDS."""
    key = _ranking_key(clients)
    oldest = now - datetime.timedelta(seconds=RANKING_SECONDS)
    local = None if refresh else _local_rankings.get(key)
    if local is not None and local[0] > oldest:
        return local[1]
    cached = None if refresh else cache.get(key)
    if cached is not None:
        computed_at, ids = cached
        if computed_at > oldest or not cache.add(f"{key}:refreshing", True, RANKING_SECONDS):
            _local_rankings[key] = (computed_at, ids)
            return ids
    expire_stale_claims(now=now)
    tasks = takeable(calls_of_today(clients=clients, now=now), now=now)
    ids = list(tasks.values_list("pk", flat=True)[:RANKING_SIZE])
    cache.set(key, (now, ids), RANKING_SECONDS * 6)
    cache.delete(f"{key}:refreshing")
    _local_rankings[key] = (now, ids)
    return ids


def _ranking_key(clients: list[Tenant]) -> str:
    return "agent:ranking:" + ",".join(str(pk) for pk in sorted(tenant.pk for tenant in clients))


def _forget_taken(*, clients: list[Tenant], taken: list[int]) -> None:
    """Drop from this process's ranking the candidates found taken, so its next claimers do not
    walk past them again. Claimers racing here may put some back: that only costs a skipped row."""
    key = _ranking_key(clients)
    local = _local_rankings.get(key)
    if local is not None:
        gone = set(taken)
        computed_at, ids = local
        _local_rankings[key] = (computed_at, [pk for pk in ids if pk not in gone])


def _lock_first(
    *, clients: list[Tenant], candidates: list[int], now: datetime.datetime
) -> ContactTask | None:
    """Lock the first candidate (in ranking order) that is still takeable and not locked by a
    concurrent claim: `SELECT … ORDER BY rank LIMIT 1 FOR UPDATE SKIP LOCKED`."""
    rank = Case(
        *(When(pk=pk, then=Value(position)) for position, pk in enumerate(candidates)),
        output_field=IntegerField(),
    )
    tasks = calls_of_today(clients=clients, now=now).filter(pk__in=candidates)
    return (
        takeable_now(tasks, now=now)
        .order_by(rank)
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )


def _claim_first_orm(
    *, consultant: User, clients: list[Tenant], candidates: list[int], now: datetime.datetime
) -> tuple[int | None, CallClaim | None]:
    """(task locked, claim held or made) through the ORM: the portable path (SQLite in tests)."""
    held = _held_claim(consultant, now=now)
    if held is not None:
        return held.task_id, held
    _no_wait_for_disk()
    task = _lock_first(clients=clients, candidates=candidates, now=now)
    if task is None:
        return None, None
    try:
        with transaction.atomic():
            claim = CallClaim.objects.create(
                tenant_id=task.tenant_id,
                task=task,
                payer_id=task.payer_id,
                consultant=consultant,
                claimed_at=now,
                lease_until=now + LEASE,
            )
    except IntegrityError:
        return task.pk, None
    return task.pk, claim


def _held_claim(consultant: User, *, now: datetime.datetime) -> CallClaim | None:
    """The consultant's unexpired claim: pressing Enter again gives back the same call."""
    return (
        CallClaim.objects.filter(
            consultant=consultant, released_at__isnull=True, lease_until__gt=now
        )
        .order_by("-claimed_at")
        .first()
    )


# The PostgreSQL claim is one call of the function `agent_claim_next_call` (created by migration
# agent 0003, which explains it): one round trip per press, with the conditions of
# `selectors.takeable_now`. Compiling the ORM query cost more than running it (profiled: ~10 of a
# lone claim's ~18 ms were Django building the SQL), and one statement over all the candidates
# evaluated every one of them before locking the first; the function stops at the first it takes.
# The same round trip says that this transaction's commit need not wait for the disk
# (`_no_wait_for_disk`), and that the function's statements use their generic plans at once:
# PostgreSQL would otherwise plan each afresh for its first five runs on a connection, which
# made a fresh web worker's first claims the slowest, for lookups by primary key.
_CLAIM_CALL = (
    "SET LOCAL synchronous_commit TO OFF; SET LOCAL plan_cache_mode TO force_generic_plan; "
    "SELECT * FROM agent_claim_next_call("
    "%s::bigint[], %s::bigint[], %s::date[], %s, %s, %s, %s, %s::text[], %s, %s)"
)


def _claim_first_sql(
    *, consultant: User, clients: list[Tenant], candidates: list[int], now: datetime.datetime
) -> tuple[int | None, CallClaim | None]:
    """(task locked, claim held or made) in one call of `agent_claim_next_call`."""
    params = [
        # As PostgreSQL's array text: adapting hundreds of ints one by one cost more than the call.
        "{" + ",".join(map(str, candidates)) + "}",
        [tenant.pk for tenant in clients],
        [timezone.localtime(now, tenant.zone).date() for tenant in clients],
        Channel.CALL.value,
        ContactTask.State.PLANNED.value,
        now,
        now - RETRY_AFTER,
        list(UNANSWERED),
        consultant.pk,
        now + LEASE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_CALL, params)
        row = cursor.fetchone()
    if row is None:
        return None, None
    task_id, tenant_id, payer_id, claim_id, held, walked_past = row
    if held:  # rare (Enter pressed twice): read the whole claim
        return task_id, CallClaim.objects.get(pk=claim_id)
    if claim_id is None:
        return task_id, None
    # Built from what the statement wrote: no second round trip to read it back.
    claim = CallClaim(
        pk=claim_id,
        tenant_id=tenant_id,
        task_id=task_id,
        payer_id=payer_id,
        consultant=consultant,
        claimed_at=now,
        lease_until=now + LEASE,
    )
    claim._state.adding, claim._state.db = False, connection.alias
    if walked_past >= FORGET_AFTER:
        # Done, claimed or being claimed: the next claimers need not walk past them again.
        _forget_taken(clients=clients, taken=candidates[:walked_past])
    return task_id, claim


def _no_wait_for_disk() -> None:
    """A claim is a lease of minutes, not a record to keep: its commit need not wait for the WAL
    flush (PostgreSQL's `synchronous_commit`, for this transaction only). A crash can lose the
    last claims, never corrupt them; their consultants press Enter again."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def claim_next_call(*, consultant: User, now: datetime.datetime | None = None) -> CallClaim | None:
    """The consultant's call: the one already held, else the most urgent takeable task, claimed
    with a 15-minute lease. None when nothing is waiting.

    The held claim is looked up by the claiming statement itself: one round trip per press."""
    now = now or timezone.now()
    clients = team_clients(consultant)
    claim_first = _claim_first_sql if connection.vendor == "postgresql" else _claim_first_orm
    for refresh in (False, True):  # the cached ranking first; if all of it is gone, a fresh one
        candidates = ranking(clients=clients, now=now, refresh=refresh)
        # An empty ranking still gets one statement: it finds the claim already held.
        starts = range(0, len(candidates), CANDIDATES_PER_LOCK) if candidates else [0]
        for start in starts:
            if start:  # the batches before held nothing to take (done, claimed or locked)
                _forget_taken(
                    clients=clients, taken=candidates[start - CANDIDATES_PER_LOCK : start]
                )
            batch = candidates[start : start + CANDIDATES_PER_LOCK]
            while True:
                with transaction.atomic():
                    task_id, claim = claim_first(
                        consultant=consultant, clients=clients, candidates=batch, now=now
                    )
                if claim is not None:
                    return claim
                if task_id is None:
                    break
                # Claimed by a consultant whose commit raced our snapshot: next candidate.
                batch = [pk for pk in batch if pk != task_id]
    return None


def _end(claim: CallClaim, *, ending: str, now: datetime.datetime, **fields) -> bool:
    """Release the claim if it is still active; False when someone else ended it first."""
    return bool(
        CallClaim.objects.filter(pk=claim.pk, released_at__isnull=True).update(
            released_at=now, ending=ending, **fields
        )
    )


@transaction.atomic
def release_claim(
    *,
    claim: CallClaim,
    ending: str = CallClaim.Ending.RELEASED,
    now: datetime.datetime | None = None,
) -> CallClaim:
    """Give the task back to the queue (Esc, or a supervisor freeing a stuck task)."""
    now = now or timezone.now()
    call_end = {"call_ended_at": now} if claim.call_started_at and not claim.call_ended_at else {}
    _end(claim, ending=ending, now=now, **call_end)
    claim.refresh_from_db()
    return claim


@transaction.atomic
def reassign_claim(
    *, claim: CallClaim, consultant: User, now: datetime.datetime | None = None
) -> CallClaim:
    """Move a held task to another consultant of a team serving the client, with a fresh lease."""
    now = now or timezone.now()
    if claim.tenant_id not in {tenant.pk for tenant in team_clients(consultant)}:
        raise ValidationError(
            {
                "consultant": _("%(user)s is not in a team serving this client.")
                % {"user": consultant}
            }
        )
    if not _end(claim, ending=CallClaim.Ending.REASSIGNED, now=now):
        raise ValidationError(_("This call has already ended; nothing to reassign."))
    return CallClaim.objects.create(
        tenant_id=claim.tenant_id,
        task_id=claim.task_id,
        payer_id=claim.payer_id,
        consultant=consultant,
        claimed_at=now,
        lease_until=now + LEASE,
    )


def consultant_endpoint_of(consultant: User) -> str:
    """Where Twilio rings the consultant: the browser softphone named after the user."""
    return f"client:consultant-{consultant.pk}"


def _held(claim: CallClaim, consultant: User, now: datetime.datetime) -> CallClaim:
    """The claim, locked, if this consultant still holds it; else a ValidationError saying why."""
    locked = CallClaim.objects.select_for_update().get(pk=claim.pk)
    if locked.consultant_id != consultant.pk:
        raise ValidationError(_("This call was reassigned to another consultant."))
    if locked.released_at is not None or locked.lease_until <= now:
        raise ValidationError(
            _("This call is no longer yours (released or the 15-minute lease ran out).")
        )
    return locked


def start_call(
    *, claim: CallClaim, consultant: User, number: str = "", now: datetime.datetime | None = None
) -> CallClaim:
    """Click-to-call: the communications channel rings the consultant and bridges to `number`
    (console backend in the demo); the talk-time clock starts and the lease is renewed. A number
    that may not be called, or a call outside the call hours, is a ValidationError.

    The provider is asked outside any transaction of ours: the call's message row is committed
    before the request and its failure after it, so a call that failed or timed out (and may
    ring anyway) stays on record, its status callbacks find it, and the row lock of the claim is
    not held across an HTTP request."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _held(claim, consultant, now)
        usable = {
            contact.value
            for contact in contacts_of(tenant=locked.tenant, payer=locked.payer)
            if contact.kind == PayerContact.Kind.PHONE and contact.is_usable
        }
    try:
        number = normalize_phone(number)
    except ValidationError as error:
        raise ValidationError({"number": error.messages}) from error
    if number not in usable:
        # Only the payer's own numbers: a new one is added on the card first, for the record.
        raise ValidationError(
            {"number": _("%(number)s is not a usable number of this payer.") % {"number": number}}
        )
    message = place_consultant_call(
        tenant=locked.tenant,
        payer=locked.payer,
        to=number,
        consultant=consultant_endpoint_of(consultant),
        contact_task_id=locked.task_id,
        now=now,
    )
    with transaction.atomic():
        locked = _held(claim, consultant, now)
        locked.call_started_at = now
        locked.call_ended_at = None
        locked.call_reference = (message.provider_sid or str(message.pk))[:64]
        locked.lease_until = max(locked.lease_until, now + LEASE)
        locked.save(
            update_fields=["call_started_at", "call_ended_at", "call_reference", "lease_until"]
        )
    return locked


@transaction.atomic
def end_call(
    *, claim: CallClaim, consultant: User, now: datetime.datetime | None = None
) -> CallClaim:
    now = now or timezone.now()
    locked = _held(claim, consultant, now)
    if locked.call_started_at and not locked.call_ended_at:
        locked.call_ended_at = now
        locked.save(update_fields=["call_ended_at"])
    return locked


@transaction.atomic
def record_call_outcome(
    *,
    claim: CallClaim,
    consultant: User,
    kind: str,
    now: datetime.datetime | None = None,
    **details,
) -> Outcome:
    """Record the outcome of the consultant's call through the schedule's one entry point and
    end the claim; a ValidationError (field dict) leaves both untouched."""
    now = now or timezone.now()
    locked = _held(claim, consultant, now)
    outcome = record_outcome(
        tenant=locked.tenant,
        payer=locked.payer,
        kind=kind,
        source=Outcome.Source.AGENT,
        task=locked.task,
        user=consultant,
        **details,
    )
    call_end = {"call_ended_at": now} if locked.call_started_at and not locked.call_ended_at else {}
    _end(
        locked,
        ending=CallClaim.Ending.OUTCOME,
        now=now,
        outcome_kind=kind,
        promised_amount=outcome.promised_amount,
        **call_end,
    )
    return outcome
