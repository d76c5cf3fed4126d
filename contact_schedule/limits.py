"""Contact limits in the planner: the client's `ContactLimits` and the operator's budget per NIP.

Applied set-based to the day's new tasks, in the SQL that writes them (`planner._insert_tasks`):
each payer's facts — its contacts with this client over the last seven days, and all clients'
contacts with its NIP — are joined in, and a task over a limit is written `deferred` with the
reason instead of `planned`. A deferred task is carried into the next day's plan (the planner's
deferral), so a limited contact is postponed, never dropped.

Across clients only counts are read: the plan of client A sums the call attempts and SMS of every
client's tasks for the same NIP, and stores on A's task nothing but A's own deferral.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from contact_schedule.models import Channel, ContactLimits, ContactTask, OperatorContactBudget
from contact_schedule.selectors import contact_limits_for
from payers.models import Payer
from tenants.models import Tenant

# Tasks that are (or are about to be) contacts; deferred and cancelled ones are not.
COUNTED_STATES = (ContactTask.State.PLANNED.value, ContactTask.State.DONE.value)
WEEK_DAYS = 7
Reason = ContactTask.DeferralReason


@dataclass(frozen=True)
class Limits:
    """The figures one plan applies: the client's limits, the gentler ones its consumers get, and
    the operator's budget."""

    client: ContactLimits
    consumer: ContactLimits
    budget: OperatorContactBudget

    @classmethod
    def of(cls, tenant: Tenant) -> Limits:
        budget = OperatorContactBudget.objects.filter(pk=1).first() or OperatorContactBudget()
        client = contact_limits_for(tenant=tenant)
        operator = ContactLimits.objects.operator_defaults().first() or ContactLimits()
        return cls(client=client, consumer=gentler(client, operator), budget=budget)


def gentler(one: ContactLimits, other: ContactLimits) -> ContactLimits:
    """Consumers get the gentler of any two settings (DOMAIN.md §4, the KPF good-practice rules):
    of the client's limits and the operator's, the fewer contacts and the longer interval."""
    return ContactLimits(
        max_contacts_per_day=min(one.max_contacts_per_day, other.max_contacts_per_day),
        max_contacts_per_week=min(one.max_contacts_per_week, other.max_contacts_per_week),
        max_call_attempts_per_day=min(
            one.max_call_attempts_per_day, other.max_call_attempts_per_day
        ),
        max_sms_per_week=min(one.max_sms_per_week, other.max_sms_per_week),
        min_hours_between_contacts=max(
            one.min_hours_between_contacts, other.min_hours_between_contacts
        ),
    )


def clip_to_quiet_hours(
    hours: tuple[datetime.time, datetime.time], budget: OperatorContactBudget
) -> tuple[datetime.time, datetime.time] | None:
    """A channel's hours of a day without the operator's quiet hours; None when nothing is left.

    Quiet hours usually span midnight (20:00–08:00): the window then shrinks to the day between
    them. Quiet hours inside a day leave the longer of the two parts.
    """
    start, end = hours
    quiet_from, quiet_until = budget.quiet_hours_start, budget.quiet_hours_end
    if quiet_from == quiet_until:
        return hours
    if quiet_from > quiet_until:  # across midnight
        start, end = max(start, quiet_until), min(end, quiet_from)
        return (start, end) if start < end else None
    before = (start, min(end, quiet_from))
    after = (max(start, quiet_until), end)
    parts = [part for part in (before, after) if part[0] < part[1]]
    if not parts:
        return None
    return max(parts, key=lambda part: _seconds(part[1]) - _seconds(part[0]))


def _seconds(moment: datetime.time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def _vendor(postgresql: str, sqlite: str) -> str:
    return postgresql if connection.vendor == "postgresql" else sqlite


def _plus_hours(expression: str, hours: str) -> str:
    """`expression` (a datetime) plus `hours` (an SQL expression) hours, in the database's SQL."""
    return _vendor(
        f"({expression} + {hours} * interval '1 hour')",
        f"datetime({expression}, '+' || {hours} || ' hours')",
    )


def payer_history_sql(*, tenant: Tenant, day: datetime.date, staged: str) -> tuple[str, list]:
    """Per staged payer: its counted contacts with this client today and over the seven days to
    today, its SMS among them, and when it was last contacted (responded, else the window's end)."""
    ops, qn = connection.ops, connection.ops.quote_name
    sql = f"""
        SELECT t.payer_id,
               SUM(CASE WHEN t.planned_date = %s THEN 1 ELSE 0 END) AS contacts_today,
               COUNT(*) AS contacts_week,
               SUM(CASE WHEN t.channel = %s THEN 1 ELSE 0 END) AS sms_week,
               MAX(CASE WHEN t.state = %s THEN COALESCE(t.responded_at, t.window_end) END)
                   AS last_contact
        FROM {qn(ContactTask._meta.db_table)} t
        WHERE t.tenant_id = %s AND t.planned_date >= %s AND t.planned_date <= %s
          AND t.state IN (%s, %s)
          AND t.payer_id IN (SELECT payer_id FROM {qn(staged)})
        GROUP BY t.payer_id
    """  # noqa: S608
    params = [
        ops.adapt_datefield_value(day),
        Channel.SMS.value,
        ContactTask.State.DONE.value,
        tenant.pk,
        ops.adapt_datefield_value(day - datetime.timedelta(days=WEEK_DAYS - 1)),
        ops.adapt_datefield_value(day),
        *COUNTED_STATES,
    ]
    return sql, params


def nip_budget_sql(*, day: datetime.date, staged: str) -> tuple[str, list]:
    """Per staged payer with a NIP: the call attempts planned today and the SMS of the seven days
    to today, by every client, for payers with that NIP. Only the sums leave this query."""
    ops, qn = connection.ops, connection.ops.quote_name
    payers, tasks = qn(Payer._meta.db_table), qn(ContactTask._meta.db_table)
    sql = f"""
        SELECT own.id AS payer_id,
               SUM(CASE WHEN t.channel = %s AND t.planned_date = %s THEN t.attempts ELSE 0 END)
                   AS nip_calls_today,
               SUM(CASE WHEN t.channel = %s THEN 1 ELSE 0 END) AS nip_sms_week
        FROM {payers} own
        JOIN {payers} same_nip ON same_nip.nip = own.nip
        JOIN {tasks} t ON t.tenant_id = same_nip.tenant_id AND t.payer_id = same_nip.id
        WHERE own.id IN (SELECT payer_id FROM {qn(staged)}) AND own.nip <> ''
          AND t.planned_date >= %s AND t.planned_date <= %s AND t.state IN (%s, %s)
        GROUP BY own.id
    """  # noqa: S608
    params = [
        Channel.CALL.value,
        ops.adapt_datefield_value(day),
        Channel.SMS.value,
        ops.adapt_datefield_value(day - datetime.timedelta(days=WEEK_DAYS - 1)),
        ops.adapt_datefield_value(day),
        *COUNTED_STATES,
    ]
    return sql, params


def limited_sql(
    *, tenant: Tenant, day: datetime.date, staged: str, per_payer: str, per_payer_params: list
) -> tuple[str, list]:
    """`per_payer` (payer_id, channel, step_id, window_start, window_end, step_attempts,
    consumer_start, consumer_end) with the limits applied: adds `deferred_reason` ('' when the
    task may go ahead), `start` (the window start, later when the minimum interval since the last
    contact asks) and `attempts`. Consumers are held to `Limits.consumer` and their own window
    (deferred when the channel is closed to them that day), businesses to the client's."""
    limits = Limits.of(tenant)
    budget = limits.budget
    history, history_params = payer_history_sql(tenant=tenant, day=day, staged=staged)
    nip, nip_params = nip_budget_sql(day=day, staged=staged)
    earliest = _plus_hours("f.last_contact", "f.min_hours")
    greatest, least = _vendor("GREATEST", "MAX"), _vendor("LEAST", "MIN")
    call, sms = Channel.CALL.value, Channel.SMS.value
    payers = connection.ops.quote_name(Payer._meta.db_table)
    # The figures per kind of payer, as a two-row table joined on the payer's kind.
    figures = (
        "SELECT 0 AS consumer, %s AS per_day, %s AS per_week, %s AS sms_per_week, "
        "%s AS call_attempts, %s AS min_hours UNION ALL SELECT 1, %s, %s, %s, %s, %s"
    )
    # The first limit hit is the reason; checks go from the client's own to the operator's.
    sql = f"""
        SELECT f.payer_id, f.channel, f.step_id,
            COALESCE(f.window_start, f.any_window_start) AS window_start,
            COALESCE(f.window_end, f.any_window_end) AS window_end,
            CASE
                WHEN f.window_start IS NULL THEN %s
                WHEN f.contacts_today >= f.per_day THEN %s
                WHEN f.contacts_week >= f.per_week THEN %s
                WHEN f.channel = %s AND f.sms_week >= f.sms_per_week THEN %s
                WHEN f.channel = %s AND f.nip_sms_week >= %s THEN %s
                WHEN f.channel = %s AND f.nip_calls_today >= %s THEN %s
                WHEN f.last_contact IS NOT NULL AND {earliest} >= f.window_end THEN %s
                ELSE ''
            END AS deferred_reason,
            CASE WHEN f.last_contact IS NULL THEN f.window_start
                 ELSE {greatest}(f.window_start, {earliest}) END AS start,
            CASE WHEN f.channel = %s
                 THEN {greatest}(1, {least}(f.step_attempts, f.call_attempts,
                                            %s - f.nip_calls_today))
                 ELSE 1 END AS attempts
        FROM (
            SELECT p.payer_id, p.channel, p.step_id, p.step_attempts,
                   CASE WHEN lim.consumer = 1 THEN p.consumer_start ELSE p.window_start END
                       AS window_start,
                   CASE WHEN lim.consumer = 1 THEN p.consumer_end ELSE p.window_end END
                       AS window_end,
                   p.window_start AS any_window_start, p.window_end AS any_window_end,
                   lim.per_day, lim.per_week, lim.sms_per_week, lim.call_attempts, lim.min_hours,
                   COALESCE(h.contacts_today, 0) AS contacts_today,
                   COALESCE(h.contacts_week, 0) AS contacts_week,
                   COALESCE(h.sms_week, 0) AS sms_week,
                   h.last_contact,
                   COALESCE(b.nip_calls_today, 0) AS nip_calls_today,
                   COALESCE(b.nip_sms_week, 0) AS nip_sms_week
            FROM ({per_payer}) p
            JOIN {payers} payer ON payer.id = p.payer_id
            JOIN ({figures}) lim
                ON lim.consumer = CASE WHEN payer.kind = %s THEN 1 ELSE 0 END
            LEFT JOIN ({history}) h ON h.payer_id = p.payer_id
            LEFT JOIN ({nip}) b ON b.payer_id = p.payer_id
        ) f
    """  # noqa: S608
    figure_params = [
        value
        for limits_of_kind in (limits.client, limits.consumer)
        for value in (
            limits_of_kind.max_contacts_per_day,
            limits_of_kind.max_contacts_per_week,
            limits_of_kind.max_sms_per_week,
            limits_of_kind.max_call_attempts_per_day,
            limits_of_kind.min_hours_between_contacts,
        )
    ]
    params = [
        Reason.CONSUMER_HOURS.value,
        Reason.CONTACTS_PER_DAY.value,
        Reason.CONTACTS_PER_WEEK.value,
        sms,
        Reason.SMS_PER_WEEK.value,
        sms,
        budget.max_sms_per_week,
        Reason.OPERATOR_BUDGET.value,
        call,
        budget.max_calls_per_day,
        Reason.OPERATOR_BUDGET.value,
        Reason.MIN_INTERVAL.value,
        call,
        budget.max_calls_per_day,
        *per_payer_params,
        *figure_params,
        Payer.Kind.CONSUMER.value,
        *history_params,
        *nip_params,
    ]
    return sql, params
