"""The approvals package's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

EXECUTOR_WORK_DUE = text("""
    SELECT EXISTS (SELECT 1 FROM executions WHERE status IN ('queued', 'started'))
        OR EXISTS (SELECT 1 FROM action_proposals
                   WHERE status = 'pending' AND created_at < now() - make_interval(secs => :expiry_s))
        OR EXISTS (SELECT 1 FROM action_proposals WHERE notified_at IS NULL)
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
