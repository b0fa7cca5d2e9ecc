"""The approvals package's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

EXECUTOR_WORK_DUE = text("""
    SELECT EXISTS (SELECT 1 FROM executions WHERE status IN ('queued', 'started'))
        OR EXISTS (SELECT 1 FROM action_proposals
                   WHERE status = 'pending' AND created_at < now() - make_interval(secs => :expiry_s))
""")

TRY_EXECUTION_XACT_LOCK = text("SELECT pg_try_advisory_xact_lock(:ns, :key)")

EXECUTION_LOCK = text("SELECT pg_advisory_lock(:ns, :key)")

EXECUTION_UNLOCK = text("SELECT pg_advisory_unlock(:ns, :key)")
