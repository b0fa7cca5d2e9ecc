"""ledger_money columns: the view carries what every money figure reads, so no statement restates "spend"

The view keeps its two definitions (collected_cents, spend_cents) and adds, after them, the row's counterparty
and invoice (spend by vendor, refunds per invoice) and the two halves of collected: payment_cents (money in) and
refund_cents (revenue going back out: refunds, disputes); collected_cents is now written as payment_cents −
refund_cents (the same value). Every figure over the ledger (the control room and its chart, the canvas's profit
and loss, burn rate, runway, spend by vendor and revenue by customer, the Money graph's spend alert) sums these
columns; core/money/figures.py documents them.

Revision ID: ledger_money_columns
Revises: on_duty_inline
Create Date: 2026-12-07
"""
from alembic import op

revision = 'ledger_money_columns'
down_revision = 'on_duty_inline'
branch_labels = None
depends_on = None

# The view before this revision (downgrade). CREATE OR REPLACE VIEW keeps the columns it had, in order (and the
# canvas reader's grant), and adds the new ones after them.
_COLLECTED = "CASE WHEN direction = 'in' THEN amount_cents WHEN category = 'revenue' THEN -amount_cents ELSE 0 END"
_SPEND = "CASE WHEN direction = 'out' AND category <> 'revenue' THEN amount_cents ELSE 0 END"


def upgrade() -> None:
    op.execute("""
CREATE OR REPLACE VIEW ledger_money AS
SELECT id, occurred_at, direction, category, amount_cents,
       payment_cents - refund_cents AS collected_cents, spend_cents,
       counterparty, invoice_id, payment_cents, refund_cents
FROM (SELECT id, occurred_at, direction, category, amount_cents, counterparty, invoice_id,
             CASE WHEN direction = 'in' THEN amount_cents ELSE 0 END AS payment_cents,
             CASE WHEN direction = 'out' AND category = 'revenue' THEN amount_cents ELSE 0 END AS refund_cents,
             CASE WHEN direction = 'out' AND category <> 'revenue' THEN amount_cents ELSE 0 END AS spend_cents
      FROM ledger_entries) AS e;
""")


def downgrade() -> None:
    op.execute(f"""
DROP VIEW ledger_money;
CREATE VIEW ledger_money AS
SELECT id, occurred_at, direction, category, amount_cents,
       {_COLLECTED} AS collected_cents,
       {_SPEND} AS spend_cents
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
