"""ledger_entries.invoice_id: the invoice a Stripe payment, refund or dispute belongs to (SPEC §17)

Revision ID: ledger_invoice_id
Revises: audit_anchors
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = 'ledger_invoice_id'
down_revision = 'audit_anchors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('ledger_entries', sa.Column('invoice_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_ledger_entries_invoice_id_invoices'), 'ledger_entries', 'invoices',
                          ['invoice_id'], ['id'], ondelete='SET NULL')
    op.create_index('ix_ledger_entries_invoice_id', 'ledger_entries', ['invoice_id'], unique=False,
                    postgresql_where=sa.text('invoice_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_ledger_entries_invoice_id', table_name='ledger_entries')
    op.drop_constraint(op.f('fk_ledger_entries_invoice_id_invoices'), 'ledger_entries', type_='foreignkey')
    op.drop_column('ledger_entries', 'invoice_id')
