"""The PostgreSQL function behind "next call" (`agent.services._claim_first_sql`).

One call per press of Enter, one round trip: the claim the consultant already holds, if any;
else walk the ranked candidates in order and, for each, lock it if it is still takeable and not
locked by a concurrent claim (`FOR UPDATE SKIP LOCKED`), then insert its claim. The walk stops
at the first claim made, so a press costs a few index lookups, not the whole candidate list, and
says how many candidates it walked past (the caller drops them from the cached ranking); a
claim another consultant committed a moment earlier collides on the partial unique indexes
(`ON CONFLICT DO NOTHING`) and the walk simply goes on, with no round trip back to Python.

Two presses of one consultant at the same instant (two tabs) take turns on an advisory lock, so a
consultant never holds two calls. The conditions are those of `agent.selectors.takeable_now`; the tests that run the claim on
both SQLite (ORM) and PostgreSQL (this function) keep them in step. A change of conditions is a
new migration replacing the function.
"""

from django.db import migrations

# The advisory-lock class of "one press at a time per consultant" (any fixed number; the planner's
# lock uses the single-key form, a separate space).
CLAIM_LOCK_CLASS = 7_201

CREATE = """
CREATE OR REPLACE FUNCTION agent_claim_next_call(
    candidates bigint[],
    client_ids bigint[],
    client_days date[],
    call_channel text,
    planned_state text,
    at timestamptz,
    retry_before timestamptz,
    unanswered text[],
    the_consultant bigint,
    lease_end timestamptz
) RETURNS TABLE (
    out_task bigint, out_tenant bigint, out_payer bigint, out_claim bigint, out_held boolean,
    out_walked integer
)
LANGUAGE plpgsql AS $$
DECLARE
    candidate bigint;
    walked integer := 0;
    picked record;
    made bigint;
BEGIN
    -- One press at a time per consultant (two tabs pressing Enter together): the second waits
    -- for the first's commit and then finds its claim as the one held.
    PERFORM pg_advisory_xact_lock(CLAIM_LOCK_CLASS, the_consultant::integer);
    SELECT claim.id, claim.task_id, claim.tenant_id, claim.payer_id INTO picked
    FROM agent_callclaim claim
    WHERE claim.consultant_id = the_consultant
        AND claim.released_at IS NULL AND claim.lease_until > at
    ORDER BY claim.claimed_at DESC
    LIMIT 1;
    IF FOUND THEN
        RETURN QUERY SELECT picked.task_id, picked.tenant_id, picked.payer_id, picked.id, TRUE, 0;
        RETURN;
    END IF;
    FOREACH candidate IN ARRAY candidates LOOP
        walked := walked + 1;
        -- The task row first, alone: a candidate another claimer is locking, or one done
        -- since the ranking was made, costs one index lookup.
        SELECT task.id, task.tenant_id, task.payer_id, task.attempts INTO picked
        FROM contact_schedule_contacttask task
        WHERE task.id = candidate
            AND (task.tenant_id, task.planned_date) IN (
                SELECT * FROM unnest(client_ids, client_days))
            AND task.channel = call_channel
            AND task.state = planned_state
            AND (task.callback_at IS NULL OR task.callback_at <= at)
            AND task.window_start <= at AND task.window_end > at
        FOR UPDATE SKIP LOCKED;
        CONTINUE WHEN NOT FOUND;
        -- Then, on the locked row (a fresh snapshot: claims committed meanwhile are seen), the
        -- claims: none active on the task or its payer, no unanswered attempt too recent,
        -- attempts left of those the planner allowed the task (the step's, capped by the
        -- client's limits and the operator's budget for the NIP).
        CONTINUE WHEN EXISTS (SELECT 1 FROM agent_callclaim held
                WHERE held.task_id = picked.id AND held.released_at IS NULL
                    AND held.lease_until > at)
            OR EXISTS (SELECT 1 FROM agent_callclaim held
                WHERE held.payer_id = picked.payer_id AND held.released_at IS NULL
                    AND held.lease_until > at)
            OR EXISTS (SELECT 1 FROM agent_callclaim tried
                WHERE tried.task_id = picked.id AND tried.outcome_kind = ANY(unanswered)
                    AND tried.released_at > retry_before)
            OR (SELECT count(*) FROM agent_callclaim tried
                WHERE tried.task_id = picked.id AND tried.outcome_kind = ANY(unanswered))
                >= picked.attempts;
        INSERT INTO agent_callclaim (tenant_id, task_id, payer_id, consultant_id,
            claimed_at, lease_until, ending, call_reference, outcome_kind)
        VALUES (picked.tenant_id, picked.id, picked.payer_id, the_consultant,
            at, lease_end, '', '', '')
        ON CONFLICT DO NOTHING
        RETURNING id INTO made;
        IF made IS NOT NULL THEN
            RETURN QUERY SELECT picked.id, picked.tenant_id, picked.payer_id, made, FALSE, walked - 1;
            RETURN;
        END IF;
    END LOOP;
END
$$;
"""

DROP = """
DROP FUNCTION IF EXISTS agent_claim_next_call(
    bigint[], bigint[], date[], text, text, timestamptz, timestamptz, text[], bigint, timestamptz);
"""


def create_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.replace("CLAIM_LOCK_CLASS", str(CLAIM_LOCK_CLASS)))


def drop_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("agent", "0002_default_call_scripts")]

    operations = [migrations.RunPython(create_function, drop_function)]
