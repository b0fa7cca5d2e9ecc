"""working hours may cross midnight: `mon-fri 22:00-06:00` is a night shift starting on the listed days

The check on `agents` now asks only that a window's start and end differ. `worker_on_duty_at(worker, at)` is
the rule at any instant (tests ask it about fixed instants); `worker_on_duty(worker)` is it at now(), as the
claim's SQL calls it. A window whose end is before its start runs from the start on a listed day to the end
on the next day.

Revision ID: overnight_hours
Revises: task_spent_at
Create Date: 2026-12-01
"""
from alembic import op

revision = 'overnight_hours'
down_revision = 'task_spent_at'
branch_labels = None
depends_on = None

_COMPLETE = ("(hours_tz IS NULL) = (hours_days IS NULL) AND (hours_tz IS NULL) = (hours_start IS NULL) "
             "AND (hours_tz IS NULL) = (hours_end IS NULL)")

ON_DUTY_SQL = """
CREATE FUNCTION worker_on_duty_at(worker text, at timestamptz) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT worker IS NULL OR EXISTS (
        SELECT 1 FROM agents a, LATERAL (SELECT at AT TIME ZONE a.hours_tz AS local) l
        WHERE a.name = worker AND a.enabled AND a.fired_at IS NULL AND (a.hours_tz IS NULL
            OR (a.hours_start < a.hours_end AND extract(isodow FROM l.local)::int = ANY(a.hours_days)
                AND l.local::time >= a.hours_start AND l.local::time < a.hours_end)
            OR (a.hours_start > a.hours_end AND (
                (extract(isodow FROM l.local)::int = ANY(a.hours_days) AND l.local::time >= a.hours_start)
                OR (extract(isodow FROM l.local - interval '1 day')::int = ANY(a.hours_days)
                    AND l.local::time < a.hours_end)))))
$$;
CREATE OR REPLACE FUNCTION worker_on_duty(worker text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT worker_on_duty_at(worker, now())
$$;
"""

OLD_ON_DUTY_SQL = """
CREATE OR REPLACE FUNCTION worker_on_duty(worker text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT worker IS NULL OR EXISTS (
        SELECT 1 FROM agents a WHERE a.name = worker AND a.enabled AND a.fired_at IS NULL AND (a.hours_tz IS NULL OR (
            extract(isodow FROM now() AT TIME ZONE a.hours_tz)::int = ANY(a.hours_days)
            AND (now() AT TIME ZONE a.hours_tz)::time >= a.hours_start
            AND (now() AT TIME ZONE a.hours_tz)::time < a.hours_end)))
$$;
DROP FUNCTION worker_on_duty_at(text, timestamptz);
"""


def upgrade() -> None:
    op.drop_constraint(op.f("ck_agents_hours_complete"), "agents", type_="check")
    op.create_check_constraint(op.f("ck_agents_hours_complete"), "agents",
                               f"{_COMPLETE} AND (hours_start IS NULL OR hours_start <> hours_end)")
    op.execute(ON_DUTY_SQL)


def downgrade() -> None:
    op.execute(OLD_ON_DUTY_SQL)
    op.drop_constraint(op.f("ck_agents_hours_complete"), "agents", type_="check")
    op.create_check_constraint(op.f("ck_agents_hours_complete"), "agents",
                               f"{_COMPLETE} AND (hours_start IS NULL OR hours_start < hours_end)")
