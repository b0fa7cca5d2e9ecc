"""canvas: indexes for the whitelisted analytics, and the SELECT-only role they run as

Revision ID: canvas_indexes
Revises: 0001
Create Date: 2026-11-21
"""
from alembic import op
from sqlalchemy import text

revision = 'canvas_indexes'
down_revision = 'console_audit_chain'
branch_labels = None
depends_on = None

# Covering indexes: the canvas aggregates over a time range with index-only scans (1M tasks in < 300 ms).
_DONE_COLUMNS = ["created_at", "customer_id", "reward_cents", "cost_cents", "profit_cents",
                 "input_tokens", "output_tokens", "model"]

# The role is cluster-wide; creating or granting it needs privileges a managed database may not give us,
# so each step is tried and a refusal is reported (NOTICE) instead of failing the migration.
READER_SQL = """
DO $$
BEGIN
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
            CREATE ROLE hoss_canvas_reader NOLOGIN;
        END IF;
    EXCEPTION WHEN insufficient_privilege OR duplicate_object OR unique_violation THEN
        RAISE NOTICE 'canvas: could not create role hoss_canvas_reader (%)', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
        BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO hoss_canvas_reader', current_schema());
            EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO hoss_canvas_reader', current_schema());
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO hoss_canvas_reader',
                           current_schema());
            IF NOT pg_has_role(current_user, 'hoss_canvas_reader', 'MEMBER') THEN
                EXECUTE format('GRANT hoss_canvas_reader TO %I', current_user);
            END IF;
        EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN
            RAISE NOTICE 'canvas: could not grant hoss_canvas_reader (%)', SQLERRM;
        END;
    END IF;
END
$$;
"""


# Daily rollups of tasks, kept exact by statement-level triggers (transition tables: one upsert per statement,
# however many rows it touched), so the task analytics read ~days x customers rows instead of 1M tasks.
ROLLUP_TABLES_SQL = """
CREATE TABLE canvas_task_done_daily (
    day date NOT NULL, customer_id bigint NOT NULL, model text NOT NULL,
    tasks bigint NOT NULL DEFAULT 0, reward_cents bigint NOT NULL DEFAULT 0, cost_cents bigint NOT NULL DEFAULT 0,
    profit_cents bigint NOT NULL DEFAULT 0, input_tokens bigint NOT NULL DEFAULT 0,
    output_tokens bigint NOT NULL DEFAULT 0,
    CONSTRAINT pk_canvas_task_done_daily PRIMARY KEY (day, customer_id, model)
);
CREATE TABLE canvas_task_created_daily (
    day date NOT NULL, customer_id bigint NOT NULL,
    created bigint NOT NULL DEFAULT 0, failed bigint NOT NULL DEFAULT 0,
    CONSTRAINT pk_canvas_task_created_daily PRIMARY KEY (day, customer_id)
);
CREATE TABLE canvas_task_duration_daily (
    day date NOT NULL, bucket integer NOT NULL, tasks bigint NOT NULL DEFAULT 0,
    CONSTRAINT pk_canvas_task_duration_daily PRIMARY KEY (day, bucket)
);
-- Time to done in 2 % logarithmic buckets: bucket b covers [1.02^(b-1), 1.02^b) seconds; 0 is under a second.
CREATE FUNCTION canvas_duration_bucket(seconds double precision) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN seconds IS NULL OR seconds < 1 THEN 0 ELSE floor(ln(seconds) / ln(1.02))::int + 1 END
$$;
"""

_DELTA_COLUMNS = ("status, customer_id, model, created_at, completed_at, reward_cents, cost_cents, profit_cents, "
                  "input_tokens, output_tokens")


def _apply_delta(delta_sql: str, into: str = "", skip_zero: bool = False) -> str:
    """One statement upserting the three rollups from `delta` rows (sign s = +1 added, -1 removed); with
    `skip_zero` (migration rollup_skip_zero) a group whose changes net to zero writes nothing."""
    done_having = ("HAVING (sum(s), sum(s * reward_cents), sum(s * cost_cents), sum(s * profit_cents), "
                   "sum(s * input_tokens), sum(s * output_tokens)) IS DISTINCT FROM (0, 0, 0, 0, 0, 0)"
                   if skip_zero else "")
    created_having = ("HAVING (sum(s), coalesce(sum(s) FILTER (WHERE status = 'failed'), 0)) IS DISTINCT FROM (0, 0)"
                      if skip_zero else "")
    duration_having = "HAVING sum(s) <> 0" if skip_zero else ""
    return f"""
    WITH delta AS ({delta_sql}),
    done_rows AS (
        INSERT INTO canvas_task_done_daily AS r (day, customer_id, model, tasks, reward_cents, cost_cents,
                                                 profit_cents, input_tokens, output_tokens)
        SELECT (completed_at AT TIME ZONE 'UTC')::date, customer_id, coalesce(model, ''), sum(s),
               sum(s * reward_cents), sum(s * cost_cents), sum(s * profit_cents), sum(s * input_tokens),
               sum(s * output_tokens)
        FROM delta WHERE status = 'done' AND completed_at IS NOT NULL
        GROUP BY 1, 2, 3 {done_having} ORDER BY 1, 2, 3
        ON CONFLICT (day, customer_id, model) DO UPDATE SET
            tasks = r.tasks + excluded.tasks, reward_cents = r.reward_cents + excluded.reward_cents,
            cost_cents = r.cost_cents + excluded.cost_cents, profit_cents = r.profit_cents + excluded.profit_cents,
            input_tokens = r.input_tokens + excluded.input_tokens,
            output_tokens = r.output_tokens + excluded.output_tokens
        RETURNING 1
    ), created_rows AS (
        INSERT INTO canvas_task_created_daily AS r (day, customer_id, created, failed)
        SELECT (created_at AT TIME ZONE 'UTC')::date, customer_id, sum(s), coalesce(sum(s) FILTER (WHERE status = 'failed'), 0)
        FROM delta GROUP BY 1, 2 {created_having} ORDER BY 1, 2
        ON CONFLICT (day, customer_id) DO UPDATE SET
            created = r.created + excluded.created, failed = r.failed + excluded.failed
        RETURNING 1
    ), duration_rows AS (
        INSERT INTO canvas_task_duration_daily AS r (day, bucket, tasks)
        SELECT (completed_at AT TIME ZONE 'UTC')::date,
               canvas_duration_bucket(extract(epoch FROM completed_at - created_at)::double precision), sum(s)
        FROM delta WHERE status = 'done' AND completed_at IS NOT NULL
        GROUP BY 1, 2 {duration_having} ORDER BY 1, 2
        ON CONFLICT (day, bucket) DO UPDATE SET tasks = r.tasks + excluded.tasks
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM done_rows) + (SELECT count(*) FROM created_rows) + (SELECT count(*) FROM duration_rows)
        {into}
    """


def rollup_function_sql(skip_zero: bool = False, *, replace: bool = False) -> str:
    """CREATE (or, with `replace`, CREATE OR REPLACE) the insert/update/delete rollup trigger functions."""
    changed = ("(o.status, o.customer_id, o.model, o.created_at, o.completed_at, o.reward_cents, o.cost_cents, "
               "o.profit_cents, o.input_tokens, o.output_tokens) IS DISTINCT FROM (n.status, n.customer_id, n.model, "
               "n.created_at, n.completed_at, n.reward_cents, n.cost_cents, n.profit_cents, n.input_tokens, "
               "n.output_tokens)")
    cols_o = ", ".join(f"o.{c.strip()}" for c in _DELTA_COLUMNS.split(","))
    cols_n = ", ".join(f"n.{c.strip()}" for c in _DELTA_COLUMNS.split(","))
    update_delta = (f"SELECT -1 AS s, {cols_o} FROM canvas_old o JOIN canvas_new n ON n.id = o.id WHERE {changed} "
                    f"UNION ALL SELECT 1 AS s, {cols_n} FROM canvas_old o JOIN canvas_new n ON n.id = o.id "
                    f"WHERE {changed}")
    fns = {
        "insert": f"SELECT 1 AS s, {_DELTA_COLUMNS} FROM canvas_new",
        "update": update_delta,
        "delete": f"SELECT -1 AS s, {_DELTA_COLUMNS} FROM canvas_old",
    }
    create = "CREATE OR REPLACE FUNCTION" if replace else "CREATE FUNCTION"
    return "\n".join(f"""
{create} canvas_tasks_rollup_{op_}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    touched bigint;
BEGIN
    {_apply_delta(delta, "INTO touched", skip_zero)};
    RETURN NULL;
END;
$fn$;
""" for op_, delta in fns.items())


def _trigger_sql() -> str:
    refs = {"insert": "NEW TABLE AS canvas_new", "update": "OLD TABLE AS canvas_old NEW TABLE AS canvas_new",
            "delete": "OLD TABLE AS canvas_old"}
    parts = [rollup_function_sql()]
    for op_, ref in refs.items():
        parts.append(f"""
CREATE TRIGGER canvas_tasks_rollup_{op_} AFTER {op_.upper()} ON tasks
    REFERENCING {ref} FOR EACH STATEMENT EXECUTE FUNCTION canvas_tasks_rollup_{op_}();
""")
    parts.append("""
CREATE FUNCTION canvas_tasks_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM canvas_task_done_daily;
    DELETE FROM canvas_task_created_daily;
    DELETE FROM canvas_task_duration_daily;
    RETURN NULL;
END;
$fn$;
CREATE TRIGGER canvas_tasks_rollup_truncate AFTER TRUNCATE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION canvas_tasks_rollup_truncate();
""")
    return "\n".join(parts)


BACKFILL_SQL = _apply_delta(f"SELECT 1 AS s, {_DELTA_COLUMNS} FROM tasks")


def upgrade() -> None:
    op.create_index('ix_tasks_done_completed_at', 'tasks', ['completed_at'],
                    postgresql_include=_DONE_COLUMNS, postgresql_where=text("status = 'done'"))
    op.create_index('ix_tasks_created_at_status', 'tasks', ['created_at'], postgresql_include=['status'])
    op.create_index('ix_ledger_entries_occurred_at_cover', 'ledger_entries', ['occurred_at'],
                    postgresql_include=['direction', 'amount_cents', 'counterparty', 'category'])
    op.create_index('ix_leads_created_at', 'leads', ['created_at'])
    op.create_index('ix_action_proposals_created_at', 'action_proposals', ['created_at'])
    op.create_index('ix_events_failed_payments', 'events', ['occurred_at', 'id'],
                    postgresql_where=text("type IN ('invoice.payment_failed', 'charge.failed')"))
    op.execute(ROLLUP_TABLES_SQL)
    op.execute(_trigger_sql())
    op.execute(BACKFILL_SQL)
    op.execute(READER_SQL)


def downgrade() -> None:
    op.execute("""
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
            EXECUTE format('REVOKE SELECT ON ALL TABLES IN SCHEMA %I FROM hoss_canvas_reader', current_schema());
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE SELECT ON TABLES FROM hoss_canvas_reader',
                           current_schema());
            EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM hoss_canvas_reader', current_schema());
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END $$;
    """)
    for op_ in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS canvas_tasks_rollup_{op_} ON tasks")
        op.execute(f"DROP FUNCTION IF EXISTS canvas_tasks_rollup_{op_}()")
    op.execute("DROP TABLE IF EXISTS canvas_task_done_daily, canvas_task_created_daily, canvas_task_duration_daily")
    op.execute("DROP FUNCTION IF EXISTS canvas_duration_bucket(double precision)")
    op.drop_index('ix_events_failed_payments', table_name='events')
    op.drop_index('ix_action_proposals_created_at', table_name='action_proposals')
    op.drop_index('ix_leads_created_at', table_name='leads')
    op.drop_index('ix_ledger_entries_occurred_at_cover', table_name='ledger_entries')
    op.drop_index('ix_tasks_created_at_status', table_name='tasks')
    op.drop_index('ix_tasks_done_completed_at', table_name='tasks')
