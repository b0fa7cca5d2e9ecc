"""rollups: a task update whose changes net to zero in a rollup group writes no rollup row

A claim (pending → running), a lease renewal or a requeue changes a task's status but none of the daily
rollups' figures; the trigger still upserted `+0` into the customer's row of the day, so every claim of every
slot took that one row's lock until its commit. The functions are re-created from canvas_indexes' one builder
with zero-net groups skipped (HAVING); the triggers and tables stay as they are.

Revision ID: rollup_skip_zero
Revises: integrations
Create Date: 2026-12-01
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = 'rollup_skip_zero'
down_revision = 'integrations'
branch_labels = None
depends_on = None


def _canvas_indexes():  # noqa: ANN202 - the migration module that owns the rollup SQL (not a package)
    spec = importlib.util.spec_from_file_location("canvas_indexes", Path(__file__).with_name("canvas_indexes.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute(_canvas_indexes().rollup_function_sql(skip_zero=True, replace=True))


def downgrade() -> None:
    op.execute(_canvas_indexes().rollup_function_sql(skip_zero=False, replace=True))
