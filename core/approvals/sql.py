"""The approvals package's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB

EXECUTOR_WORK_DUE = text("""
    SELECT EXISTS (SELECT 1 FROM executions WHERE status IN ('queued', 'started'))
        OR EXISTS (SELECT 1 FROM action_proposals
                   WHERE status = 'pending' AND created_at < now() - make_interval(secs => :expiry_s))
        OR EXISTS (SELECT 1 FROM action_proposals WHERE notified_at IS NULL)
        OR EXISTS (SELECT 1 FROM action_proposals WHERE slack_ts IS NOT NULL AND slack_shown_status IS DISTINCT FROM status)
        OR EXISTS (SELECT 1 FROM action_proposals p JOIN settings s ON s.key = 'policy.' || p.action_type
                   WHERE p.status = 'pending' AND (
                       (jsonb_typeof(s.value -> 'sla_minutes') = 'number'
                        AND p.created_at < now() - make_interval(mins => (s.value ->> 'sla_minutes')::int))
                    OR (jsonb_typeof(s.value -> 'escalate_after_minutes') = 'number' AND p.escalations < 2
                        AND p.created_at < now() - make_interval(
                            mins => (p.escalations + 1) * (s.value ->> 'escalate_after_minutes')::int))))
""")

TRY_EXECUTION_XACT_LOCK = text("SELECT pg_try_advisory_xact_lock(:ns, :key)")

EXECUTION_LOCK = text("SELECT pg_advisory_lock(:ns, :key)")

EXECUTION_UNLOCK = text("SELECT pg_advisory_unlock(:ns, :key)")

# The trust ledger (SPEC §14) per action type over a window. A human decision is one not made by the policy
# or the system (SLA, expiry); open→decision counts only cards someone opened.
TRUST_LEDGER = text("""
    SELECT p.action_type,
           count(*) AS proposed,
           count(*) FILTER (WHERE p.status IN ('approved', 'executing', 'executed', 'failed') AND p.edit_distance IS NULL
                            AND p.decided_by NOT LIKE 'policy:%' AND p.decided_by NOT LIKE 'system:%') AS approved_as_is,
           count(*) FILTER (WHERE p.status IN ('approved', 'executing', 'executed', 'failed')
                            AND p.edit_distance IS NOT NULL) AS approved_edited,
           avg(p.edit_distance) FILTER (WHERE p.edit_distance IS NOT NULL) AS mean_edit_distance,
           count(*) FILTER (WHERE p.status = 'superseded') AS revised,
           count(*) FILTER (WHERE p.status = 'rejected' AND p.decided_by NOT LIKE 'system:%') AS rejected,
           count(*) FILTER (WHERE p.status = 'expired' OR (p.status = 'rejected' AND p.decided_by LIKE 'system:%'))
               AS timed_out,
           count(*) FILTER (WHERE p.status = 'failed') AS failures,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.decided_at - p.opened_at))
               FILTER (WHERE p.opened_at IS NOT NULL AND p.decided_at >= p.opened_at) AS p50_s,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM p.decided_at - p.opened_at))
               FILTER (WHERE p.opened_at IS NOT NULL AND p.decided_at >= p.opened_at) AS p90_s,
           max(CASE WHEN jsonb_typeof(p.payload -> 'amount_cents') = 'number'
                    THEN (p.payload ->> 'amount_cents')::numeric END) AS max_amount_cents
    FROM action_proposals p
    WHERE p.created_at >= now() - make_interval(days => :days) AND p.action_type <> 'policy_change'
    GROUP BY p.action_type
    ORDER BY p.action_type
""")

MARK_OPENED = text("""
    UPDATE action_proposals SET opened_at = now() WHERE id = ANY(:ids) AND opened_at IS NULL
""")


# A new pending proposal and its audit row (record_audit's columns: none -> pending), in one statement, unless
# one with its dedupe key exists (then nothing is written and no row comes back).
INSERT_PROPOSAL = text("""
    WITH drafted AS (
        INSERT INTO action_proposals (vertical, action_type, title, reasoning, payload, dedupe_key, urgency,
            event_id, supersedes_id)
        VALUES (:vertical, :action_type, :title, :reasoning, :payload, :dedupe_key, :urgency, :event_id,
            :supersedes_id)
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id),
    audit AS (
        INSERT INTO audit_log (actor_type, actor_id, entity, entity_id, from_status, to_status, metadata)
        SELECT :actor_type, :actor_id, 'proposal', id::text, NULL, 'pending', :metadata FROM drafted)
    SELECT id FROM drafted
""").bindparams(bindparam("payload", type_=JSONB), bindparam("metadata", type_=JSONB))

PROPOSAL_ID_BY_DEDUPE_KEY = text("SELECT id FROM action_proposals WHERE dedupe_key = :dedupe_key")

