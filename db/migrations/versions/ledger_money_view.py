"""ledger_money: the one definition of "collected" and "spend" per ledger row, read by every money figure

collected = money in minus revenue going back out (refunds, disputes); spend = every other outgoing row.
The control room's totals, its 30-day chart and the canvas's profit_and_loss all sum these two columns.

Revision ID: ledger_money_view
Revises: ledger_invoice_id
Create Date: 2026-12-01
"""
from alembic import op

revision = 'ledger_money_view'
down_revision = 'ledger_invoice_id'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE VIEW ledger_money AS
SELECT id, occurred_at, direction, category, amount_cents,
       CASE WHEN direction = 'in' THEN amount_cents WHEN category = 'revenue' THEN -amount_cents ELSE 0 END
           AS collected_cents,
       CASE WHEN direction = 'out' AND category <> 'revenue' THEN amount_cents ELSE 0 END AS spend_cents
FROM ledger_entries;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoss_canvas_reader') THEN
        GRANT SELECT ON ledger_money TO hoss_canvas_reader;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'ledger_money: could not grant hoss_canvas_reader (%)', SQLERRM;
END $$;
""")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS ledger_money")
