"""A small fixed dataset with known values: every canvas figure in the tests is computed by hand from it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

# "Now" for every canvas test: periods resolve against it (June 2026; 2026-06-01 is a Monday).
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

_SQL = """
INSERT INTO leads (id, company, email, status, created_at, last_contacted_at) OVERRIDING SYSTEM VALUE VALUES
 (1, 'Acme', 'a@acme.test', 'qualified', '2026-06-01', '2026-06-01'),
 (2, 'Globex', 'g@globex.test', 'qualified', '2026-06-02', '2026-06-02'),
 (3, 'Umbrella', 'u@umbrella.test', 'responded', '2026-06-03', '2026-06-03'),
 (4, 'Stark', 's@stark.test', 'contacted', '2026-06-04', '2026-06-04'),
 (5, 'Wayne', 'w@wayne.test', 'new', '2026-06-05', NULL),
 (6, 'Tyrell', 't@tyrell.test', 'lost', '2026-06-06', '2026-06-06'),
 (7, 'Oldco', 'o@old.test', 'new', '2026-01-10', NULL);

INSERT INTO customers (id, company, lead_id, stripe_customer_id, created_at) OVERRIDING SYSTEM VALUE VALUES
 (1, 'Acme', 1, 'cus_acme', '2026-06-01'),
 (2, 'Globex', 2, 'cus_globex', '2026-06-02'),
 (3, 'Initech', NULL, NULL, '2026-01-01');

INSERT INTO invoices (id, customer_id, amount_cents, status, created_at, sent_at, paid_at) OVERRIDING SYSTEM VALUE VALUES
 (1, 1, 10000, 'paid',  '2026-05-20', '2026-05-20', '2026-06-01'),
 (2, 1, 5000,  'sent',  '2026-06-10', '2026-06-10', NULL),
 (3, 2, 20000, 'paid',  '2026-03-01', '2026-03-01', '2026-03-05'),
 (4, 2, 3000,  'void',  '2026-06-05', NULL, NULL),
 (5, 3, 7000,  'draft', '2026-04-01', NULL, NULL),
 (6, 3, 2500,  'sent',  '2026-02-01', '2026-02-01', NULL),
 (7, 2, 4000,  'sent',  '2026-05-01', '2026-05-10', NULL);

INSERT INTO tasks (id, customer_id, description, status, reward_cents, cost_cents, profit_cents, model,
                   input_tokens, output_tokens, created_at, completed_at) OVERRIDING SYSTEM VALUE VALUES
 (1, 1, 't1', 'done', 100, 20, 80, 'gpt-4o-mini', 1000, 500, '2026-06-01 10:00', '2026-06-01 10:30'),
 (2, 1, 't2', 'done', 80, 10, 70, 'gpt-4o-mini', 500, 200, '2026-06-02 09:00', '2026-06-02 10:00'),
 (3, 2, 't3', 'done', 60, 30, 30, 'gpt-4o', 2000, 800, '2026-06-08 12:00', '2026-06-09 12:00'),
 (4, 2, 't4', 'failed', 50, 0, 0, NULL, 0, 0, '2026-06-09 08:00', NULL),
 (5, 3, 't5', 'pending', 70, 0, 0, NULL, 0, 0, '2026-06-10 08:00', NULL),
 (6, 1, 't6', 'done', 90, 5, 85, NULL, 0, 0, '2026-04-10 00:00', '2026-04-10 01:00');

INSERT INTO ledger_entries (occurred_at, direction, amount_cents, counterparty, category, source, ref) VALUES
 ('2026-06-01', 'in', 10000, 'Acme', 'revenue', 'stripe', 'r1'),
 ('2026-06-05', 'out', 3000, 'OpenAI', 'llm', 'llm_usage', 'r2'),
 ('2026-06-10', 'out', 5000, 'AWS', 'software', 'csv_import', 'r3'),
 ('2026-05-10', 'out', 20000, 'Payroll Co', 'payroll', 'csv_import', 'r4'),
 ('2026-05-15', 'out', 2000, 'OpenAI', 'llm', 'llm_usage', 'r5'),
 ('2026-04-20', 'in', 5000, 'Globex', 'revenue', 'stripe', 'r6'),
 ('2026-01-05', 'out', 99999, 'Old Vendor', 'other', 'manual', 'r7'),
 ('2026-06-12', 'out', 500, '', 'fees', 'stripe', 'r8');

INSERT INTO events (source, type, occurred_at, payload, dedupe_key, status) VALUES
 ('stripe', 'invoice.payment_failed', '2026-06-03',
  '{"data": {"object": {"customer": "cus_acme", "amount_due": 5000,
    "last_finalization_error": {"message": "Your card was declined."}}}}', 'evt_1', 'processed'),
 ('stripe', 'charge.failed', '2026-06-07',
  '{"data": {"object": {"customer": "cus_unknown", "amount": 1200, "failure_message": "Insufficient funds",
    "billing_details": {"name": "Hooli"}}}}', 'evt_2', 'processed'),
 ('stripe', 'charge.succeeded', '2026-06-04', '{"data": {"object": {"amount": 999}}}', 'evt_3', 'processed'),
 ('stripe', 'charge.failed', '2026-02-01', '{"data": {"object": {"amount": 777}}}', 'evt_4', 'processed');

INSERT INTO agent_runs (agent, trigger, started_at, finished_at, status, error) VALUES
 ('ops', 'schedule', '2026-06-10 10:00', '2026-06-10 10:00:10', 'succeeded', NULL),
 ('ops', 'schedule', '2026-06-11 10:00', '2026-06-11 10:00:20', 'failed', 'boom 1'),
 ('ops', 'schedule', '2026-06-12 10:00', '2026-06-12 10:00:30', 'failed', 'boom 2'),
 ('billing', 'schedule', '2026-06-12 11:00', '2026-06-12 11:00:04', 'succeeded', NULL),
 ('bizdev', 'manual', '2026-06-13 09:00', '2026-06-13 09:00:02', 'skipped', NULL),
 ('ops', 'schedule', '2026-01-01 10:00', '2026-01-01 10:00:05', 'succeeded', NULL);

INSERT INTO action_proposals (vertical, action_type, status, title, dedupe_key, created_at, decided_at) VALUES
 ('bizdev', 'email', 'approved', 'p1', 'p1', '2026-06-10 10:00', '2026-06-10 10:30'),
 ('bizdev', 'email', 'rejected', 'p2', 'p2', '2026-06-11 10:00', '2026-06-11 11:30'),
 ('bizdev', 'email', 'approved', 'p3', 'p3', '2026-06-12 00:00', '2026-06-12 01:00'),
 ('billing', 'stripe_checkout', 'pending', 'p4', 'p4', '2026-06-13 00:00', NULL),
 ('money', 'slack', 'approved', 'p5', 'p5', '2026-01-01 00:00', '2026-01-01 00:10');

INSERT INTO settings (key, value) VALUES ('cash_balance_cents', '100000');
"""


def load_canvas_dataset(engine: Engine) -> None:
    """Insert the fixed dataset (ids are explicit so expectations can name them)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(_SQL)
