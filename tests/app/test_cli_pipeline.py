"""Issue 2's walk-through, through the real command line against one database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.standins.http import serve_asgi
from tests.standins.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]


def _cli(db_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": db_url, **env},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.mark.slow
def test_lead_to_invoice_through_the_cli(db_url: str, session: Session) -> None:
    _cli(db_url, "run-agent", "bizdev")
    lead_id = session.execute(text("SELECT min(id) FROM leads")).scalar_one()
    session.execute(text("UPDATE leads SET status = 'responded' WHERE id = :i"), {"i": lead_id})
    # This walk-through is the Ops pool's single-prompt path: with the starting workforce paused, Onboarding
    # leaves the starter tasks to it (the workers' workflows have their own walk-through in tests/workforce).
    session.execute(text("UPDATE agents SET enabled = false WHERE kind = 'worker'"))
    session.commit()
    _cli(db_url, "run-agent", "onboarding")
    _cli(db_url, "run-agent", "onboarding")

    fake = FakeOpenAI(reply="Real research summary.", prompt_tokens=210, completion_tokens=340)
    with serve_asgi(fake.app()) as base:
        _cli(db_url, "run-agent", "ops", OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=f"{base}/v1")
    assert fake.calls == 1
    for _ in range(5):
        pending = session.execute(text("SELECT count(*) FROM tasks WHERE status = 'pending'")).scalar_one()
        if not pending:
            break
        mock_run = _cli(db_url, "run-agent", "ops")
    assert "OPENAI_API_KEY not set, using mock summary." in mock_run.stderr + mock_run.stdout
    _cli(db_url, "run-agent", "billing")
    _cli(db_url, "run-agent", "billing")

    customers = session.execute(text("SELECT id FROM customers WHERE lead_id = :i"), {"i": lead_id}).scalars().all()
    assert len(customers) == 1
    tasks = session.execute(text(
        "SELECT status, mode, input_tokens, output_tokens, cost_cents, reward_cents, profit_cents, result_summary,"
        " invoice_id FROM tasks WHERE customer_id = :c"), {"c": customers[0]}).all()
    assert 2 <= len(tasks) <= 3
    assert {t.status for t in tasks} == {"done"}
    real = [t for t in tasks if t.mode == "openai"]
    assert len(real) == 1
    assert (real[0].input_tokens, real[0].output_tokens) == (210, 340) and real[0].cost_cents > 0
    assert all("mock" in t.result_summary.lower() for t in tasks if t.mode == "mock")
    assert all(t.profit_cents == max(t.reward_cents - t.cost_cents, 0) for t in tasks)
    invoices = session.execute(text("SELECT id, amount_cents FROM invoices WHERE customer_id = :c"),
                               {"c": customers[0]}).all()
    assert len(invoices) == 1
    assert invoices[0].amount_cents == sum(t.reward_cents for t in tasks)
    assert {t.invoice_id for t in tasks} == {invoices[0].id}
    with pytest.raises(Exception, match="append-only|permission denied"):  # the runtime role may not even try
        session.execute(text("UPDATE audit_log SET actor_id = 'x'"))
