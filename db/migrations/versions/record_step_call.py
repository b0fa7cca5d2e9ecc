"""record step call: one SQL function records an LLM call on its step row, for every statement that records one

A step's call was recorded by one statement (RECORD_CALL) and the run's completion was another, so the Ops prompt's
one-step workflow paid a round trip for each. `record_step_call` holds how a call is written on its step row (the
call's tries add up: attempt, tokens and cost; its prompt, response, status, artifact and error are the latest),
and both RECORD_CALL (a step that is not the last) and the run's completion (the last step's call, with the task's
move, in one statement) call it, so the one write is stated once.

Revision ID: record_step_call
Revises: status_move_triggers
Create Date: 2026-12-07
"""
from alembic import op

revision = 'record_step_call'
down_revision = 'status_move_triggers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE FUNCTION record_step_call(step bigint, call_prompt text, call_response text, call_model text,
                                 call_input_tokens bigint, call_output_tokens bigint, call_cost bigint,
                                 call_latency_ms integer, step_status text, step_artifact text, step_error text)
RETURNS bigint LANGUAGE sql VOLATILE AS $$
    UPDATE task_steps SET attempt = attempt + 1, prompt = call_prompt, response = call_response, model = call_model,
        input_tokens = input_tokens + call_input_tokens, output_tokens = output_tokens + call_output_tokens,
        cost_cents = cost_cents + call_cost, latency_ms = call_latency_ms, status = step_status,
        artifact = step_artifact, error = step_error,
        finished_at = CASE WHEN step_status = 'running' THEN NULL ELSE now() END
    WHERE id = step
    RETURNING id
$$;
""")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS record_step_call(bigint, text, text, text, bigint, bigint, bigint, integer, "
                "text, text, text)")
