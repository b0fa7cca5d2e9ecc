"""The workforce package's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

# The active worker of a role with the fewest open (pending or running) tasks, ties by name: who takes over a
# fired worker's pending tasks.
LEAST_LOADED_PEER = text("""
    SELECT a.name FROM agents a
    WHERE a.kind = 'worker' AND a.role = :role AND a.name <> :name AND a.enabled AND a.fired_at IS NULL
    ORDER BY (SELECT count(*) FROM tasks t WHERE t.agent = a.name AND t.status IN ('pending', 'running')), a.name
    LIMIT 1
""")

# A worker's pending tasks move to another worker; the ids come back for their audit rows.
HAND_OVER_PENDING = text("""
    UPDATE tasks SET agent = :to_agent WHERE agent = :from_agent AND status = 'pending' RETURNING id
""")

PENDING_COUNT = text("SELECT count(*) FROM tasks WHERE agent = :agent AND status = 'pending'")
