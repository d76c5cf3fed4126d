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


def expire_stale_claims(*, now: datetime.datetime | None = None) -> int:
    """Release every claim whose lease ran out (conditional update: safe to run concurrently)."""
    now = now or timezone.now()
    return CallClaim.objects.filter(released_at__isnull=True, lease_until__lte=now).update(
        released_at=F("lease_until"), ending=CallClaim.Ending.EXPIRED
    )


def ranking(*, clients: list[Tenant], now: datetime.datetime, refresh: bool = False) -> list[int]:
    """The ids of the takeable tasks of the clients, most urgent first, at most RANKING_SECONDS
    old (stale-while-revalidate: one claimer recomputes, the others use the previous ranking).

    Ranking every task on every claim costs tens of milliseconds once a team has thousands of
    calls a day, and fifty consultants pressing Enter would queue behind it. A ranking a few
    seconds old only delays a callback that just came due by as much; whether a task may be
    taken is checked afresh when it is locked (`takeable_now`). Leases that ran out are released
    here too, so a task abandoned with its lease is back within RANKING_SECONDS."""
    key = _ranking_key(clients)
    cached = None if refresh else cache.get(key)
    if cached is not None:
        computed_at, ids = cached
        fresh = computed_at > now - datetime.timedelta(seconds=RANKING_SECONDS)
        if fresh or not cache.add(f"{key}:refreshing", True, RANKING_SECONDS):
            return ids
    expire_stale_claims(now=now)
    tasks = takeable(calls_of_today(clients=clients, now=now), now=now)
    ids = list(tasks.values_list("pk", flat=True)[:RANKING_SIZE])
    cache.set(key, (now, ids), RANKING_SECONDS * 6)
    cache.delete(f"{key}:refreshing")
    return ids


def _ranking_key(clients: list[Tenant]) -> str:
    return "agent:ranking:" + ",".join(str(pk) for pk in sorted(tenant.pk for tenant in clients))


def _forget_taken(*, clients: list[Tenant], taken: list[int]) -> None:
    """Drop from the cached ranking the candidates found taken, so the next claimers do not walk
    past them again. Claimers racing here may put some back: that only costs a skipped row."""
    key = _ranking_key(clients)
    cached = cache.get(key)
    if cached is not None:
        gone = set(taken)
        computed_at, ids = cached
        cache.set(key, (computed_at, [pk for pk in ids if pk not in gone]), RANKING_SECONDS * 6)


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
    """(task locked, claim made) through the ORM: the portable path (SQLite in tests)."""
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


# The PostgreSQL claim in ONE statement: lock the first candidate, in ranking order, that is still
# takeable (the same conditions as `selectors.takeable_now`, kept in step by the tests that run
# on both) and insert its claim. Compiling the ORM query cost more than running it (profiled: ~10
# of a lone claim's ~18 ms were Django building the SQL). `ON CONFLICT DO NOTHING` turns a claim
# that committed after our snapshot into "candidate locked, nothing inserted", with no exception
# and no savepoint round trip; the caller then tries the next candidate.
_CLAIM_SQL = """
WITH candidate AS (
    SELECT task.id, task.tenant_id, task.payer_id
    FROM unnest($1::bigint[]) WITH ORDINALITY AS ranked(id, position)
    JOIN contact_schedule_contacttask task ON task.id = ranked.id
    JOIN contact_schedule_schedulestep step
        ON step.id = task.step_id
    WHERE (task.tenant_id, task.planned_date) IN (
            SELECT * FROM unnest($2::bigint[], $3::date[]))
        AND task.channel = $4
        AND task.state = $5
        AND (task.callback_at IS NULL OR task.callback_at <= $6)
        AND task.window_start <= $6 AND task.window_end > $6
        AND NOT EXISTS (SELECT 1 FROM agent_callclaim held
            WHERE held.task_id = task.id AND held.released_at IS NULL
                AND held.lease_until > $6)
        AND NOT EXISTS (SELECT 1 FROM agent_callclaim held
            WHERE held.payer_id = task.payer_id AND held.released_at IS NULL
                AND held.lease_until > $6)
        AND NOT EXISTS (SELECT 1 FROM agent_callclaim tried
            WHERE tried.task_id = task.id AND tried.outcome_kind = ANY($8)
                AND tried.released_at > $7)
        AND (SELECT count(*) FROM agent_callclaim tried
            WHERE tried.task_id = task.id AND tried.outcome_kind = ANY($8))
            < step.attempts
    ORDER BY ranked.position
    LIMIT 1
    FOR UPDATE OF task SKIP LOCKED
), claimed AS (
    INSERT INTO agent_callclaim (tenant_id, task_id, payer_id, consultant_id,
        claimed_at, lease_until, ending, call_reference, outcome_kind)
    SELECT tenant_id, id, payer_id, $9, $6, $10, '', '', ''
    FROM candidate
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT candidate.id, candidate.tenant_id, candidate.payer_id, claimed.id
FROM candidate LEFT JOIN claimed ON TRUE
"""
# Prepared once per connection: planning the statement cost more than running it (1.4 ms against
# 0.5 ms, EXPLAIN ANALYZE on the bench's queue).
_CLAIM_STATEMENT = "agent_claim_next_call"
_CLAIM_TYPES = (
    "bigint[], bigint[], date[], text, text, timestamptz, timestamptz, text[], bigint, timestamptz"
)
_PREPARE_CLAIM = f"PREPARE {_CLAIM_STATEMENT} ({_CLAIM_TYPES}) AS {_CLAIM_SQL}"
_EXECUTE_CLAIM = (
    "SET LOCAL synchronous_commit TO OFF; "
    f"EXECUTE {_CLAIM_STATEMENT} (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _claim_first_sql(
    *, consultant: User, clients: list[Tenant], candidates: list[int], now: datetime.datetime
) -> tuple[int | None, CallClaim | None]:
    """(task locked, claim made) in one PostgreSQL statement, `_CLAIM_SQL`; the same round trip
    says that this transaction's commit need not wait for the disk (`_no_wait_for_disk`)."""
    params = [
        candidates,
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
    connection.ensure_connection()
    with connection.cursor() as cursor:
        # Prepared statements live as long as the database session: prepare again whenever
        # Django opened a new one.
        if getattr(connection, "_agent_claim_prepared_on", None) is not connection.connection:
            cursor.execute(_PREPARE_CLAIM)
            connection._agent_claim_prepared_on = connection.connection
        cursor.execute(_EXECUTE_CLAIM, params)
        row = cursor.fetchone()
    if row is None:
        return None, None
    task_id, tenant_id, payer_id, claim_id = row
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
    return task_id, claim


def _clients_of(consultant: User) -> list[Tenant]:
    """The consultant's team clients, cached like the ranking: teams change rarely."""
    key = f"agent:clients:{consultant.pk}"
    clients = cache.get(key)
    if clients is None:
        clients = team_clients(consultant)
        cache.set(key, clients, RANKING_SECONDS)
    return clients


def _no_wait_for_disk() -> None:
    """A claim is a lease of minutes, not a record to keep: its commit need not wait for the WAL
    flush (PostgreSQL's `synchronous_commit`, for this transaction only). A crash can lose the
    last claims, never corrupt them; their consultants press Enter again."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def claim_next_call(*, consultant: User, now: datetime.datetime | None = None) -> CallClaim | None:
    """The consultant's call: the one already held, else the most urgent takeable task, claimed
    with a 15-minute lease. None when nothing is waiting."""
    now = now or timezone.now()
    held = (
        CallClaim.objects.filter(
            consultant=consultant, released_at__isnull=True, lease_until__gt=now
        )
        .order_by("-claimed_at")
        .first()
    )
    if held is not None:
        return held
    clients = _clients_of(consultant)
    claim_first = _claim_first_sql if connection.vendor == "postgresql" else _claim_first_orm
    for refresh in (False, True):  # the cached ranking first; if all of it is gone, a fresh one
        candidates = ranking(clients=clients, now=now, refresh=refresh)
        for start in range(0, len(candidates), CANDIDATES_PER_LOCK):
            if start:  # the batches before held nothing to take (done, claimed or locked)
                _forget_taken(
                    clients=clients, taken=candidates[start - CANDIDATES_PER_LOCK : start]
                )
            batch = candidates[start : start + CANDIDATES_PER_LOCK]
            while batch:
                with transaction.atomic():
                    task_id, claim = claim_first(
                        consultant=consultant, clients=clients, candidates=batch, now=now
                    )
                if task_id is None:
                    break
                if claim is not None:
                    return claim
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


@transaction.atomic
def start_call(
    *, claim: CallClaim, consultant: User, number: str = "", now: datetime.datetime | None = None
) -> CallClaim:
    """Click-to-call: the communications channel rings the consultant and bridges to `number`
    (console backend in the demo); the talk-time clock starts and the lease is renewed. A number
    that may not be called, or a call outside the call hours, is a ValidationError."""
    now = now or timezone.now()
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
    reference = message.provider_sid or str(message.pk)
    locked.call_started_at = now
    locked.call_ended_at = None
    locked.call_reference = reference[:64]
    locked.lease_until = max(locked.lease_until, now + LEASE)
    locked.save(update_fields=["call_started_at", "call_ended_at", "call_reference", "lease_until"])
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
