"""The scheduler's SQL, each statement named; values only as bound parameters."""

from __future__ import annotations

from sqlalchemy import text

# The period is floor(now / interval) on the database's clock; the unique (agent, scheduled_for) key decides races.
CLAIM_PERIOD = text("""
    WITH period AS (
        SELECT to_timestamp((floor(extract(epoch FROM now()) / :interval) * :interval)::float8) AS start
    )
    INSERT INTO scheduler_slots (agent, scheduled_for, claimed_by)
    SELECT :agent, period.start, :replica FROM period
    WHERE NOT EXISTS (
        SELECT 1 FROM scheduler_slots s WHERE s.agent = :agent AND s.scheduled_for >= period.start
    )
    ON CONFLICT (agent, scheduled_for) DO NOTHING
    RETURNING scheduled_for
""")

RELEASE_PERIOD = text("DELETE FROM scheduler_slots WHERE agent = :a AND scheduled_for = :p AND claimed_by = :r")

PRUNE_SLOTS = text("DELETE FROM scheduler_slots WHERE scheduled_for < now() - make_interval(days => :d)")
